"""Vectorised generator of fictional, contract-conforming school census years.

The output follows ``docs/contract/census-contract.md`` with English canonical
headers and codes: one polars DataFrame per table (schools, classes, teachers,
facilities, rooms, finance, county).

How a year is made
------------------
1. ``make_counties`` draws the counties: 6-digit codes
   ``<province 2><city 2><county 2>`` (urban districts 02, 03, ...; counties
   21, 22, ...; now and then a county-level city 81), a fictional name and an
   "urbanity" that decides how many of its schools are urban, town or rural.
2. ``make_skeleton`` draws the schools and everything about them that is stable
   from year to year: id, name, type, urban_rural, ownership, built year, and
   hidden parameters (columns starting with ``_``): classes per grade and mean
   class size per stage, teacher quality, facility factors, ... A school whose
   ``built_year`` is after the census year is not in that year's census, so
   one skeleton gives consecutive years with the same schools plus a few new
   ones.
3. ``make_year`` turns a skeleton into one census year: classes (students per
   class vary from year to year), teachers (counts from students, attributes
   drawn per teacher), facilities (from the stable expected size of the
   school), rooms (stable), finance and the county table.

Everything is numpy/polars on whole arrays; the only Python loops are over
provinces, cities and chunks of counties. Big sizes are generated in chunks of
counties (``iter_year``), each with its own seed, so memory stays small and
``write_year`` can stream the chunks into the files.

Planted shapes (so that the indicators have something to show): crowded urban
and town schools with classes of 56-65 and 66+ students, large urban schools
over 2000 students, small rural schools and teaching points (some under 50
students), nine-year schools, a few complete secondary schools with senior
classes, special-education schools, units below the R1-R7 standards, schools
below 5 % training spending, teachers under 360 training hours or without a
certificate, and one county with a veto item (when there are 10 or more).

CLI: ``python -m synthetic.generator --size province --year 2024 --format csv
--out /tmp/x`` writes ``/tmp/x/2024/schools.csv`` etc.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

# --------------------------------------------------------------------------- #
# Contract: tables, columns and their types in the generated frames
# --------------------------------------------------------------------------- #

TABLES = ("schools", "classes", "teachers", "facilities", "rooms", "finance", "county")

S, I32, I64, F64, B = pl.String, pl.Int32, pl.Int64, pl.Float64, pl.Boolean

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "schools": {
        "school_id": S,
        "school_name": S,
        "county_code": S,
        "county_name": S,
        "school_type": S,
        "urban_rural": S,
        "ownership": S,
        "built_year": I32,
    },
    "classes": {"school_id": S, "class_id": S, "stage": S, "grade": I32, "students": I32},
    "teachers": {
        "teacher_id": S,
        "school_id": S,
        "stage": S,
        "education": S,
        "backbone_level": S,
        "subject": S,
        "has_certificate": B,
        "training_hours_5y": I32,
        "rotation_eligible": B,
        "rotated": B,
    },
    "facilities": {
        "school_id": S,
        "stage": S,
        "teaching_aux_area_m2": F64,
        "sports_area_m2": F64,
        "equipment_value_yuan": I64,
        "multimedia_classrooms": I32,
    },
    "rooms": {"school_id": S, "room_type": S, "area_m2": F64, "built_year": I32},
    "finance": {"school_id": S, "public_funds_budget_yuan": I64, "teacher_training_yuan": I64},
    "county": {
        "county_code": S,
        "teacher_avg_salary_yuan": I64,
        "civil_servant_avg_salary_yuan": I64,
        "special_ed_funding_per_student_yuan": I64,
        "small_school_funded_as_100": B,
        "nearby_enrollment_primary_pct": F64,
        "nearby_enrollment_junior_pct": F64,
        "quota_total": I64,
        "quota_allocated": I64,
        "migrant_eligible": I64,
        "migrant_in_public": I64,
        "junior_graduates": I64,
        "junior_cohort_initial": I64,
        "junior_transfer_in": I64,
        "junior_transfer_out": I64,
        "junior_deaths": I64,
        "disabled_children_total": I64,
        "disabled_children_enrolled": I64,
        "survey_valid": I64,
        "survey_satisfied": I64,
        "quality_composite": F64,
        "quality_between_school_cv": F64,
        "veto_flags": S,
    },
}

# --------------------------------------------------------------------------- #
# Sizes
# --------------------------------------------------------------------------- #

# The 31 province-level codes of the mainland (the nation size spreads its
# counties over them; all county codes below province level are invented).
PROVINCES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)  # fmt: skip

SIZES: dict[str, dict] = {
    # ~100 schools, ~5,000 teachers, ~2,000 classes
    "county": {"n_counties": 1, "schools_per_county": 100, "province_code": "53"},
    # ~12,000 schools, ~600,000 teachers, ~250,000 classes
    "province": {"n_counties": 120, "schools_per_county": 100, "province_code": "53"},
    # ~200,000 schools, ~10,000,000 teachers, ~4,000,000 classes
    "nation": {"n_counties": 2000, "schools_per_county": 100, "province_code": PROVINCES},
}

CHUNK_COUNTIES = 200  # counties per generated chunk (~20,000 schools, ~1 M teachers)

# --------------------------------------------------------------------------- #
# Code lists and parameters
# --------------------------------------------------------------------------- #

STAGES = ("primary", "junior", "senior")
TYPE_CODES = ("211", "218", "311", "312", "341", "345", "511", "512", "513", "514")
T211, T218, T311, T312, T341, T345 = range(6)  # 6..9 are special education
# grades taught (inclusive); teaching points stop at their own _gmax
TYPE_LO = np.array([1, 1, 7, 1, 7, 1, 1, 1, 1, 1])
TYPE_HI = np.array([6, 6, 9, 9, 12, 12, 9, 9, 9, 9])

AREA_CLASSES = ("urban", "town", "rural")
# P(school_type | area class); columns follow TYPE_CODES
TYPE_P = np.array(
    [
        [0.545, 0.000, 0.220, 0.120, 0.080, 0.010, 0.0025, 0.0050, 0.0125, 0.0050],
        [0.470, 0.060, 0.220, 0.160, 0.060, 0.020, 0.0010, 0.0020, 0.0050, 0.0020],
        [0.450, 0.350, 0.080, 0.110, 0.005, 0.000, 0.0002, 0.0005, 0.0033, 0.0010],
    ]
)
URBAN_RURAL = {0: (("111", 0.75), ("112", 0.25)), 1: (("121", 0.6), ("122", 0.35), ("123", 0.05)),
               2: (("210", 0.3), ("220", 0.7))}  # fmt: skip

# median classes per grade [type, area class, stage]; 0 = stage not taught
CPG_MEDIAN = np.zeros((10, 3, 3))
CPG_MEDIAN[T211] = [[4.8, 0, 0], [3.2, 0, 0], [1.4, 0, 0]]
CPG_MEDIAN[T218] = [[1.0, 0, 0], [1.0, 0, 0], [1.0, 0, 0]]
CPG_MEDIAN[T311] = [[0, 9.5, 0], [0, 7.0, 0], [0, 3.0, 0]]
CPG_MEDIAN[T312] = [[3.5, 4.5, 0], [2.5, 3.0, 0], [1.4, 1.8, 0]]
CPG_MEDIAN[T341] = [[0, 8.0, 8.0], [0, 6.0, 5.0], [0, 4.0, 3.0]]
CPG_MEDIAN[T345] = [[3.0, 5.0, 5.0], [2.0, 3.0, 3.0], [1.5, 2.0, 2.0]]
CPG_MEDIAN[6:] = [[1.0, 1.0, 0], [1.0, 1.0, 0], [1.0, 1.0, 0]]

# Standards used to size facilities (per student; multimedia per 100 students)
# primary, junior, senior (senior = junior x 1.2).
STD_AREA = np.array([4.5, 5.8, 6.96])
STD_SPORTS = np.array([7.5, 10.2, 12.24])
STD_EQUIP = np.array([2000.0, 2500.0, 3000.0])
PUBLIC_FUNDS_PER_STUDENT = np.array([720.0, 940.0, 1200.0])
SPECIAL_FUNDS_PER_STUDENT = 6500.0

EDUCATION = ("below", "senior_secondary", "associate", "bachelor", "postgraduate")
EDU_THRESH = np.array([-3.14, -2.0, -0.54, 2.6])
EDU_STAGE_OFF = np.array([0.0, 1.0, 1.4])
EDU_AREA_OFF = np.array([0.2, 0.0, -0.3])
BACKBONE = ("none", "county", "city", "province", "national")
BB_THRESH = np.array([0.6, 1.4, 2.2, 3.0])
BB_AREA_OFF = np.array([0.1, 0.0, -0.1])

SUBJECTS = ("pe", "music", "art", "chinese", "math", "english", "science", "morality",
            "it", "physics", "chemistry", "biology", "history", "geography", "politics")  # fmt: skip
_ACAD_P = np.array(
    [  # chinese math english science morality it physics chem bio history geo politics
        [0.36, 0.30, 0.12, 0.08, 0.08, 0.06, 0, 0, 0, 0, 0, 0],
        [0.18, 0.18, 0.16, 0.00, 0.07, 0.05, 0.09, 0.06, 0.07, 0.07, 0.07, 0.00],
        [0.15, 0.15, 0.15, 0.00, 0.00, 0.04, 0.10, 0.09, 0.09, 0.08, 0.08, 0.07],
    ]
)
ACAD_CUM = np.cumsum(_ACAD_P / _ACAD_P.sum(1, keepdims=True), axis=1)

PLACE_CHARS = list(
    "青云明湖滨江南北东西金玉石龙凤安宁平清泉松柏桃李梅兰竹菊长新永丰兴和华中山河溪川岭峰林"
    "星月阳光春秋晨曦碧翠文德育英才红旗向前进胜利团结友谊花园"
)
TYPE_SUFFIX = ("小学", "教学点", "中学", "九年一贯制学校", "中学", "实验学校",
               "盲人学校", "聋人学校", "培智学校", "特殊教育学校")  # fmt: skip
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN_CHARS = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力林斌宇浩凯晨欣怡子涵梓轩雨")

VETO_TEXT = "发生重大安全责任事故（虚构）"


def _choose(rng: np.random.Generator, cum: np.ndarray) -> np.ndarray:
    """Vectorised categorical draw: one row of cumulative probabilities per draw."""
    u = rng.random(cum.shape[0])
    return np.minimum((u[:, None] >= cum).sum(1), cum.shape[1] - 1)


def _lognormal(rng: np.random.Generator, median, sigma, size) -> np.ndarray:
    return np.asarray(median) * np.exp(rng.normal(0.0, sigma, size))


def _labels(values: Sequence[str], idx: np.ndarray) -> pl.Series:
    """Strings by index without building a Python list per row."""
    return pl.Series(values=list(values), dtype=pl.String).gather(pl.Series(idx.astype(np.int64)))


def _zfill(num: np.ndarray, width: int) -> pl.Series:
    return pl.Series(num.astype(np.int64)).cast(pl.String).str.zfill(width)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a stable hash of uint64 keys (same on every run)."""
    with np.errstate(over="ignore"):
        x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def hash_uniform(keys: np.ndarray, salt: int) -> np.ndarray:
    """Uniform numbers in (0, 1) that depend only on (key, salt).

    Used for a teacher's stable traits (education, subject, ...) so that the
    same teacher_id keeps them from one census year to the next.
    """
    with np.errstate(over="ignore"):
        h = _mix64(keys.astype(np.uint64) ^ _mix64(np.full(1, salt, dtype=np.uint64)))
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def hash_normal(keys: np.ndarray, salt: int) -> np.ndarray:
    """Standard normal numbers that depend only on (key, salt) (Box-Muller)."""
    u1, u2 = hash_uniform(keys, salt), hash_uniform(keys, salt + 7777)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def fictional_names(keys: np.ndarray) -> pl.Series:
    """Invented Chinese personal names (surname + 1-2 given characters), one per key.

    A name depends only on its key (e.g. the numeric teacher_id), so a teacher
    keeps the name from year to year.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    sur = _labels(SURNAMES, (hash_uniform(keys, 11) * len(SURNAMES)).astype(np.int64))
    g1 = _labels(GIVEN_CHARS, (hash_uniform(keys, 12) * len(GIVEN_CHARS)).astype(np.int64))
    g2 = _labels(GIVEN_CHARS, (hash_uniform(keys, 13) * len(GIVEN_CHARS)).astype(np.int64))
    two = pl.Series(hash_uniform(keys, 14) < 0.7)
    frame = pl.DataFrame({"s": sur, "a": g1, "b": g2, "two": two})
    return frame.select(
        pl.when(pl.col("two")).then(pl.concat_str("s", "a", "b")).otherwise(pl.concat_str("s", "a")).alias("name")
    )["name"]


def _place_names(rng: np.random.Generator, n: int) -> pl.Series:
    a = _labels(PLACE_CHARS, rng.integers(0, len(PLACE_CHARS), n))
    b = _labels(PLACE_CHARS, rng.integers(0, len(PLACE_CHARS), n))
    return pl.DataFrame({"a": a, "b": b}).select(pl.concat_str("a", "b").alias("p"))["p"]


# --------------------------------------------------------------------------- #
# 1. counties
# --------------------------------------------------------------------------- #


def make_counties(n_counties: int, province_code: str | Sequence[str] = "53", seed: int = 0) -> pl.DataFrame:
    """Counties with 6-digit codes, fictional names and an urbanity in [0, 1].

    Columns: county_code, county_name, _urbanity, _rot_p (rotation propensity),
    _veto (veto text or null), _seq (ordinal within its province, 1-based).
    """
    rng = np.random.default_rng([seed, 7])
    provs = [province_code] if isinstance(province_code, str) else list(province_code)
    if any(len(p) != 2 or not p.isdigit() for p in provs):
        raise ValueError(f"province codes must be 2 digits: {provs}")
    per_prov = np.full(len(provs), n_counties // len(provs))
    per_prov[: n_counties % len(provs)] += 1
    codes: list[str] = []
    kinds: list[int] = []  # 0 district, 1 county, 2 county-level city
    seqs: list[int] = []
    for prov, m in zip(provs, per_prov, strict=True):  # loop over provinces and cities only
        m = int(m)
        if m == 0:
            continue
        n_cities = min(99, max(1, round(m / 9)))
        per_city = np.full(n_cities, m // n_cities)
        per_city[: m % n_cities] += 1
        if per_city.max() > 80:
            raise ValueError(f"too many counties for province {prov}: {m}")
        seq = 0
        for city, k in enumerate(per_city, start=1):
            k = int(k)
            d = min(k, int(rng.integers(1, 4)))
            city_lvl = 1 if (k - d >= 2 and rng.random() < 0.3) else 0
            parts = [(f"{2 + i:02d}", 0) for i in range(d)]
            parts += [(f"{21 + i:02d}", 1) for i in range(k - d - city_lvl)]
            parts += [("81", 2)] * city_lvl
            for cc, kind in parts:
                seq += 1
                codes.append(f"{prov}{city:02d}{cc}")
                kinds.append(kind)
                seqs.append(seq)
    n = len(codes)
    kind = np.array(kinds)
    urb = np.select(
        [kind == 0, kind == 2],
        [rng.uniform(0.65, 0.95, n), rng.uniform(0.3, 0.6, n)],
        rng.uniform(0.05, 0.4, n),
    )
    suffix = _labels(("区", "县", "市"), kind)
    names = pl.DataFrame({"p": _place_names(rng, n), "s": suffix}).select(pl.concat_str("p", "s"))
    veto = [None] * n
    if n >= 10:
        veto[n // 2] = VETO_TEXT
    return pl.DataFrame(
        {
            "county_code": codes,
            "county_name": names.to_series(),
            "_urbanity": urb,
            "_rot_p": rng.uniform(0.05, 0.2, n),
            "_veto": pl.Series(veto, dtype=pl.String),
            "_seq": np.array(seqs, dtype=np.int32),
        }
    )


# --------------------------------------------------------------------------- #
# 2. schools and their stable parameters
# --------------------------------------------------------------------------- #


def make_skeleton(
    counties: pl.DataFrame, schools_per_county: int | Sequence[int], seed: int = 0, key: int = 0
) -> pl.DataFrame:
    """Schools of the given counties with their stable (year-independent) parameters."""
    rng = np.random.default_rng([seed, key, 0])
    nc = counties.height
    spc = np.broadcast_to(np.asarray(schools_per_county, dtype=np.int64), (nc,))
    ci = np.repeat(np.arange(nc), spc)
    n = ci.size
    urb = counties["_urbanity"].to_numpy()[ci]

    # area class and urban_rural code
    p_urban = 0.9 * urb
    p_town = 0.05 + 0.35 * (1 - urb)
    area = _choose(rng, np.stack([p_urban, p_urban + p_town, np.ones(n)], 1))
    ur_codes, ur_cum = [], []
    for a in range(3):
        ur_codes.append([c for c, _ in URBAN_RURAL[a]])
        ur_cum.append(np.cumsum([p for _, p in URBAN_RURAL[a]]))
    urban_rural = np.empty(n, dtype=object)
    for a in range(3):  # three area classes, vectorised within each
        m = area == a
        k = np.searchsorted(ur_cum[a], rng.random(m.sum()), side="right")
        urban_rural[m] = np.array(ur_codes[a], dtype=object)[np.minimum(k, len(ur_codes[a]) - 1)]

    t = _choose(rng, np.cumsum(TYPE_P, 1)[area])
    special = t >= 6
    private = (rng.random(n) < np.array([0.12, 0.06, 0.01])[area]) & ~special & (t != T218)

    built = rng.integers(1950, 2020, n)
    new = rng.random(n) < 0.02
    built = np.where(new, rng.integers(2020, 2025, n), built)
    built = np.where(t == T218, rng.integers(1955, 2006, n), built)

    # size: classes per grade and mean class size per stage
    cpg = _lognormal(rng, CPG_MEDIAN[t, area], 0.35, (n, 3))
    cpg = np.where(CPG_MEDIAN[t, area] > 0, np.clip(cpg, 1.0, [12.0, 20.0, 16.0]), 0.0)
    cpg[t == T218] = np.where(CPG_MEDIAN[t[t == T218], area[t == T218]] > 0, 1.0, 0.0)
    cpg[special] = np.where(CPG_MEDIAN[t[special], area[special]] > 0, 1.0, 0.0)
    cpg[(t == T211) & (area == 2), 0] = np.clip(cpg[(t == T211) & (area == 2), 0], 1.0, 3.0)

    crowded = (area < 2) & ~special & (t != T218) & (rng.random(n) < np.where(area == 0, 0.2, 0.14))
    cm = np.empty((n, 3))
    cm[:, 0] = np.select([area == 0, area == 1], [rng.normal(43, 4, n), rng.normal(40, 5, n)],
                         rng.normal(28, 8, n))  # fmt: skip
    cm[:, 1] = np.select([area == 0, area == 1], [rng.normal(46, 4, n), rng.normal(44, 5, n)],
                         rng.normal(38, 7, n))  # fmt: skip
    cm[:, 2] = rng.normal(52, 5, n)
    cm[crowded, 0] = rng.normal(57, 4, crowded.sum())
    cm[crowded, 1] = rng.normal(59, 4, crowded.sum())
    cm = np.clip(cm, 10, 70)
    cm[t == T218, 0] = np.clip(rng.normal(10, 5, (t == T218).sum()), 2, 28)
    cm[special, :2] = np.clip(rng.normal(9, 2, (special.sum(), 2)), 4, 14)
    class_sd = np.where(crowded, rng.uniform(4, 8, n), rng.uniform(2, 5, n))
    class_sd = np.where(t == T218, 2.0, class_sd)

    gmax = np.where(t == T218, np.array([1, 2, 3, 4, 6])[_choose(rng, np.tile(
        np.cumsum([0.08, 0.22, 0.35, 0.25, 0.10]), (n, 1)))], 0)  # fmt: skip
    fivefour = np.isin(t, [T312, T345]) & (rng.random(n) < 0.05)

    # teachers
    q = rng.normal(0, 1, n) + np.array([0.3, 0.0, -0.3])[area]
    arts = _lognormal(rng, np.where(t == T218, 0.4, np.where(area == 2, 0.9, 1.0)), 0.2, n)
    r_p = np.where(special, rng.uniform(3, 5, n), rng.uniform(15, 20, n))
    r_j = np.where(special, rng.uniform(3, 5, n), rng.uniform(12.5, 16.5, n))
    r_s = rng.uniform(11, 14, n)

    # facilities (crowded schools lag behind)
    lag = np.where(crowded, 0.7, 1.0)
    f_area = _lognormal(rng, 1.2, 0.25, n) * np.where(crowded, 0.75, 1.0)
    f_sports = _lognormal(rng, np.array([1.15, 1.35, 1.6])[area], 0.35, n) * lag
    f_equip = _lognormal(rng, 1.25, 0.35, n) * np.where(crowded, 0.8, 1.0)
    f_mm = _lognormal(rng, np.array([1.3, 1.25, 1.15])[area], 0.2, n) * np.where(crowded, 0.85, 1.0)
    split = (t == T312) & (rng.random(n) < 0.35)

    # rooms: offset from the required number, per type; teaching points mostly have none
    d_room = rng.choice([-1, 0, 1], p=[0.15, 0.7, 0.15], size=(n, 2))
    tp_room = rng.random(n) < 0.25

    # school ids: lead digit (0-3) + province (2) + county ordinal (3) + serial (4)
    seq_in_county = np.arange(n) - np.repeat(np.cumsum(spc) - spc, spc)
    offset = rng.integers(0, 10000, nc)[ci]
    serial = (offset + seq_in_county * 7919) % 10000  # 7919 is coprime with 10000
    lead = rng.choice(4, p=[0.4, 0.25, 0.2, 0.15], size=n)
    prov = counties["county_code"].str.slice(0, 2).to_numpy()[ci]
    cseq = counties["_seq"].to_numpy()[ci]
    county_code = counties["county_code"].gather(pl.Series(ci))
    county_name = counties["county_name"].gather(pl.Series(ci))
    ids = pl.DataFrame(
        {
            "lead": pl.Series(lead).cast(pl.String),
            "prov": pl.Series(prov, dtype=pl.String),
            "cseq": _zfill(cseq, 3),
            "serial": _zfill(serial, 4),
        }
    ).select(pl.concat_str("lead", "prov", "cseq", "serial"))
    names = pl.DataFrame(
        {
            "c": county_name,
            "p": _place_names(rng, n),
            "s": _labels(TYPE_SUFFIX, t),
        }
    ).select(pl.concat_str("c", "p", "s"))

    return pl.DataFrame(
        {
            "school_id": ids.to_series(),
            "school_name": names.to_series(),
            "county_code": county_code,
            "county_name": county_name,
            "school_type": _labels(TYPE_CODES, t),
            "urban_rural": pl.Series(urban_rural.astype(str), dtype=pl.String),
            "ownership": _labels(("public", "private"), private.astype(np.int64)),
            "built_year": built.astype(np.int32),
            "_ci": ci.astype(np.int32),
            "_type": t.astype(np.int8),
            "_area": area.astype(np.int8),
            "_cpg_p": cpg[:, 0], "_cpg_j": cpg[:, 1], "_cpg_s": cpg[:, 2],
            "_cm_p": cm[:, 0], "_cm_j": cm[:, 1], "_cm_s": cm[:, 2],
            "_class_sd": class_sd,
            "_crowded": crowded,
            "_gmax": gmax.astype(np.int8),
            "_fivefour": fivefour,
            "_q": q,
            "_arts": arts,
            "_r_p": r_p, "_r_j": r_j, "_r_s": r_s,
            "_f_area": f_area, "_f_sports": f_sports, "_f_equip": f_equip, "_f_mm": f_mm,
            "_split": split,
            "_d_music": d_room[:, 0].astype(np.int8), "_d_art": d_room[:, 1].astype(np.int8),
            "_tp_room": tp_room,
            "_train_share": np.clip(rng.normal(0.065, 0.015, n), 0.01, 0.15),
            "_rot_p": counties["_rot_p"].to_numpy()[ci],
        }
    )  # fmt: skip


# --------------------------------------------------------------------------- #
# 3. one census year
# --------------------------------------------------------------------------- #


def _grade_grid(t: np.ndarray, gmax: np.ndarray, fivefour: np.ndarray):
    """(n, 12) masks of grades taught and the stage index of each grade."""
    g = np.arange(1, 13)
    hi = np.where(t == T218, gmax, TYPE_HI[t])
    valid = (g[None, :] >= TYPE_LO[t][:, None]) & (g[None, :] <= hi[:, None])
    stage = np.broadcast_to(np.where(g <= 6, 0, np.where(g <= 9, 1, 2)), valid.shape).copy()
    stage[:, 5] = np.where(fivefour, 1, 0)
    return valid, stage


def expected_size(skel: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Stable expected classes and students per stage, shape (n, 3) each.

    Facilities and rooms are sized from these, so they do not follow the
    year-to-year noise of the classes (buildings do not move with enrolment).
    """
    t = skel["_type"].to_numpy().astype(np.int64)
    valid, stage = _grade_grid(t, skel["_gmax"].to_numpy(), skel["_fivefour"].to_numpy())
    ngr = np.stack([(valid & (stage == s)).sum(1) for s in range(3)], 1).astype(float)
    ngr[t >= 6] *= 0.75  # special schools teach about 3 grades in 4
    cpg = np.stack([skel["_cpg_p"], skel["_cpg_j"], skel["_cpg_s"]], 1)
    cm = np.stack([skel["_cm_p"], skel["_cm_j"], skel["_cm_s"]], 1)
    classes = ngr * np.maximum(1.0, np.rint(cpg)) * (cpg > 0)
    return classes, classes * cm


def make_year(
    skeleton: pl.DataFrame,
    counties: pl.DataFrame,
    year: int,
    seed: int = 0,
    key: int = 0,
    other_rooms: bool = False,
) -> dict[str, pl.DataFrame]:
    """One census year of the skeleton's schools (those built by `year`)."""
    rng = np.random.default_rng([seed, key, 1, year])
    rng_stable = np.random.default_rng([seed, key, 2])

    rooms_all = _rooms(skeleton, rng_stable, other_rooms)
    sk = skeleton.filter(pl.col("built_year") <= year)
    rooms = rooms_all.filter(pl.col("school_id").is_in(sk["school_id"].implode()) & (pl.col("built_year") <= year))
    n = sk.height
    t = sk["_type"].to_numpy().astype(np.int64)
    area = sk["_area"].to_numpy().astype(np.int64)
    special = t >= 6
    sid = sk["school_id"]

    # ---- classes ---------------------------------------------------------
    valid, stage_of = _grade_grid(t, sk["_gmax"].to_numpy(), sk["_fivefour"].to_numpy())
    valid &= ~(special[:, None] & (rng.random((n, 12)) > 0.75))
    cpg = np.stack([sk["_cpg_p"], sk["_cpg_j"], sk["_cpg_s"]], 1)
    cm = np.stack([sk["_cm_p"], sk["_cm_j"], sk["_cm_s"]], 1)
    cpg_cell = np.take_along_axis(cpg, stage_of, 1)
    count = np.rint(cpg_cell * np.exp(rng.normal(0, 0.1, (n, 12))))
    count = np.where(valid, np.maximum(count, 1), 0).astype(np.int64)
    drop = valid & ((t == T211) & (area == 2))[:, None] & (cpg_cell < 1.5)
    count[drop & (rng.random((n, 12)) < 0.04)] = 0
    empty = count.sum(1) == 0
    count[empty, np.argmax(valid[empty], 1)] = 1

    flat = count.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    seq = np.arange(cell.size) - np.repeat(np.cumsum(flat) - flat, flat)
    ci_s, gi = cell // 12, cell % 12
    st = stage_of.ravel()[cell]
    drift = np.exp(rng.normal(0, 0.04, n))
    mean = cm[ci_s, st] * drift[ci_s]
    students = np.rint(mean + rng.normal(0, 1, cell.size) * sk["_class_sd"].to_numpy()[ci_s])
    hi = np.select([t == T218, special], [30, 16], 85)[ci_s]
    students = np.clip(students, 1, hi).astype(np.int64)
    classes = pl.DataFrame(
        {
            "school_id": sid.gather(pl.Series(ci_s)),
            "class_id": _zfill((gi + 1) * 100 + seq + 1, 4),
            "stage": _labels(STAGES, st),
            "grade": (gi + 1).astype(np.int32),
            "students": students.astype(np.int32),
        }
    )

    key_ss = ci_s * 3 + st
    stud_ss = np.bincount(key_ss, weights=students, minlength=3 * n).reshape(n, 3)
    cls_ss = np.bincount(key_ss, minlength=3 * n).reshape(n, 3)

    # ---- teachers --------------------------------------------------------
    ratio = np.stack([sk["_r_p"], sk["_r_j"], sk["_r_s"]], 1)
    floor = np.ceil(cls_ss * np.where(t == T218, 1.0, 1.05)[:, None])
    n_t = np.where(stud_ss > 0, np.maximum(np.rint(stud_ss / ratio), floor), 0).astype(np.int64)
    tflat = n_t.ravel()
    tcell = np.repeat(np.arange(tflat.size), tflat)
    ti, tst = tcell // 3, tcell % 3
    per_school = n_t.sum(1)
    tseq = np.arange(ti.size) - np.repeat(np.cumsum(per_school) - per_school, per_school)
    nt = ti.size
    # a teacher's traits hang on the teacher_id (stable across years); the
    # school's parameters shift their distribution
    tkey = sid.cast(pl.UInt64).to_numpy()[ti] * np.uint64(10000) + (tseq + 1).astype(np.uint64)
    q = sk["_q"].to_numpy()[ti]
    tarea = area[ti]
    edu = np.searchsorted(EDU_THRESH, 0.7 * q + hash_normal(tkey, 1) + EDU_STAGE_OFF[tst] + EDU_AREA_OFF[tarea])
    bb = np.searchsorted(BB_THRESH, 0.2 * q + hash_normal(tkey, 2) + BB_AREA_OFF[tarea])
    p_arts = np.clip(0.21 * sk["_arts"].to_numpy()[ti], 0.02, 0.4)
    u = hash_uniform(tkey, 3)
    is_arts = u < p_arts
    v = u / p_arts
    arts_kind = np.where(v < 0.47, 0, np.where(v < 0.735, 1, 2))
    w = (u - p_arts) / (1 - p_arts)
    acad = 3 + np.minimum((w[:, None] >= ACAD_CUM[tst]).sum(1), ACAD_CUM.shape[1] - 1)
    subject = np.where(is_arts, arts_kind, acad)
    private = (sk["ownership"] == "private").to_numpy()[ti]
    no_cert = hash_uniform(tkey, 4) < 0.015 + 0.02 * (tarea == 2) + 0.02 * private
    hours = np.rint(430 + 35 * q + 70 * hash_normal(tkey, 5) + rng.normal(0, 20, nt))
    hours = np.clip(hours, 0, 960)
    eligible = hash_uniform(tkey, 6) < 0.3
    rot_p = sk["_rot_p"].to_numpy()[ti] * np.where(bb > 0, 1.8, 1.0)
    rotated = eligible & (rng.random(nt) < rot_p)
    teachers = pl.DataFrame(
        {
            "teacher_id": pl.DataFrame({"s": sid.gather(pl.Series(ti)), "n": _zfill(tseq + 1, 4)})
            .select(pl.concat_str("s", "n"))
            .to_series(),
            "school_id": sid.gather(pl.Series(ti)),
            "stage": _labels(STAGES, tst),
            "education": _labels(EDUCATION, edu),
            "backbone_level": _labels(BACKBONE, bb),
            "subject": _labels(SUBJECTS, subject),
            "has_certificate": ~no_cert,
            "training_hours_5y": hours.astype(np.int32),
            "rotation_eligible": eligible,
            "rotated": rotated,
        }
    )

    # ---- facilities (stable size from the expected classes) -------------
    exp_cls, exp_stud = expected_size(sk)
    split = sk["_split"].to_numpy() & (exp_stud[:, 0] > 0) & (exp_stud[:, 1] > 0)
    # unit rows: one "all" row, or a primary and a junior row for split schools
    rows = np.where(split, 2, 1)
    fi = np.repeat(np.arange(n), rows)
    fpart = np.arange(fi.size) - np.repeat(np.cumsum(rows) - rows, rows)  # 0 or 1
    fsplit = split[fi]
    mask = np.ones((fi.size, 3))
    mask[fsplit & (fpart == 0)] = [1, 0, 0]
    mask[fsplit & (fpart == 1)] = [0, 1, 0]
    e_stud = exp_stud[fi] * mask
    e_cls = exp_cls[fi] * mask
    f = {k: sk[k].to_numpy()[fi] for k in ("_f_area", "_f_sports", "_f_equip", "_f_mm")}
    area_m2 = (e_stud @ STD_AREA) * f["_f_area"] + 40 * e_cls.sum(1)
    sports = np.maximum((e_stud @ STD_SPORTS) * f["_f_sports"], np.where(area[fi] > 0, 300, 0))
    growth = np.clip(1 + 0.05 * (year - 2020), 0.5, 2.0)
    equip = np.maximum(np.rint((e_stud @ STD_EQUIP) * f["_f_equip"] * growth / 100) * 100, 10000)
    mm = np.rint(e_cls.sum(1) * f["_f_mm"])
    facilities = pl.DataFrame(
        {
            "school_id": sid.gather(pl.Series(fi)),
            "stage": _labels(("all", "primary", "junior"), np.where(fsplit, fpart + 1, 0)),
            "teaching_aux_area_m2": np.round(area_m2, 1),
            "sports_area_m2": np.round(sports, 1),
            "equipment_value_yuan": equip.astype(np.int64),
            "multimedia_classrooms": mm.astype(np.int32),
        }
    )

    # ---- finance -----------------------------------------------------------
    total = stud_ss.sum(1)
    small = total < 100
    per_student = np.where(special, SPECIAL_FUNDS_PER_STUDENT * total, stud_ss @ PUBLIC_FUNDS_PER_STUDENT)
    per_student = np.where(small & ~special, np.maximum(per_student, 100 * 720.0), per_student)
    budget = np.rint(per_student * rng.uniform(1.0, 1.25, n) / 100) * 100
    share = np.clip(sk["_train_share"].to_numpy() + rng.normal(0, 0.004, n), 0, 0.2)
    finance = pl.DataFrame(
        {
            "school_id": sid,
            "public_funds_budget_yuan": budget.astype(np.int64),
            "teacher_training_yuan": np.rint(budget * share).astype(np.int64),
        }
    )

    # ---- county --------------------------------------------------------------
    county = _county_table(counties, sk, ci_s, students, gi, rng)

    schools = sk.select(list(SCHEMAS["schools"]))
    frames = {
        "schools": schools,
        "classes": classes,
        "teachers": teachers,
        "facilities": facilities,
        "rooms": rooms,
        "finance": finance,
        "county": county,
    }
    return {k: v.cast(SCHEMAS[k]).select(list(SCHEMAS[k])) for k, v in frames.items()}


def _rooms(skel: pl.DataFrame, rng: np.random.Generator, other_rooms: bool) -> pl.DataFrame:
    """Music and art rooms (and optionally `other` rooms), stable across years."""
    n = skel.height
    t = skel["_type"].to_numpy().astype(np.int64)
    exp_cls, _ = expected_size(skel)
    need = np.ceil(exp_cls[:, :2].sum(1) / 12)
    cnt = np.maximum(need[:, None] + skel.select("_d_music", "_d_art").to_numpy(), 0)
    tp = t == T218
    cnt[tp] = np.stack([skel["_tp_room"].to_numpy()[tp], np.zeros(tp.sum())], 1)
    cnt[t >= 6] = 1
    types = [0, 1]
    if other_rooms:
        cnt = np.column_stack([cnt, np.where(tp, 0, rng.integers(0, 3, n))])
        types = [0, 1, 2]
    cnt = cnt.astype(np.int64)
    flat = cnt.ravel()
    cell = np.repeat(np.arange(flat.size), flat)
    ri, rt = cell // len(types), cell % len(types)
    nr = ri.size
    sb = skel["built_year"].to_numpy()[ri]
    built = rng.integers(np.maximum(sb, 1995), 2025)
    old = built < 2016
    small = rng.random(nr) < 0.12
    base = np.select([rt == 0, rt == 1], [np.where(old, 82, 104), np.where(old, 76, 97)], 80)
    area_m2 = np.where(small, rng.normal(56, 6, nr), rng.normal(base, 11, nr))
    return pl.DataFrame(
        {
            "school_id": skel["school_id"].gather(pl.Series(ri)),
            "room_type": _labels(("music", "art", "other"), rt),
            "area_m2": np.round(np.clip(area_m2, 20, 220), 1),
            "built_year": built.astype(np.int32),
        }
    )


def _county_table(counties, sk, ci_s, students, gi, rng) -> pl.DataFrame:
    nc = counties.height
    sci = sk["_ci"].to_numpy()[ci_s]  # county of each class
    tot = np.bincount(sci, weights=students, minlength=nc)
    g9 = np.bincount(sci, weights=students * (gi == 8), minlength=nc)
    salary = np.rint(rng.normal(96000, 10000, nc) / 100) * 100
    civil = np.rint(salary * rng.uniform(0.93, 1.07, nc) / 100) * 100
    cohort = np.rint(g9 * rng.uniform(1.0, 1.06, nc))
    t_in = np.rint(g9 * rng.uniform(0.005, 0.03, nc))
    t_out = np.rint(g9 * rng.uniform(0.01, 0.04, nc))
    deaths = rng.poisson(g9 * 0.0003)
    grads = np.rint((cohort + t_in - t_out - deaths) * rng.uniform(0.93, 1.0, nc))
    quota = np.rint(g9 * rng.uniform(0.35, 0.55, nc))
    migrant = np.rint(tot * rng.uniform(0.01, 0.08, nc))
    disabled = np.rint(tot * rng.uniform(0.0015, 0.003, nc)) + 1
    valid = rng.integers(800, 3000, nc)

    def i64(x):
        return np.asarray(x).astype(np.int64)

    return pl.DataFrame(
        {
            "county_code": counties["county_code"],
            "teacher_avg_salary_yuan": i64(salary),
            "civil_servant_avg_salary_yuan": i64(civil),
            "special_ed_funding_per_student_yuan": i64(np.rint(rng.uniform(5200, 8800, nc))),
            "small_school_funded_as_100": rng.random(nc) < 0.88,
            "nearby_enrollment_primary_pct": np.where(
                rng.random(nc) < 0.8, 100.0, np.round(rng.uniform(97, 99.9, nc), 1)
            ),
            "nearby_enrollment_junior_pct": np.round(rng.uniform(92, 100, nc), 1),
            "quota_total": i64(quota),
            "quota_allocated": i64(np.rint(quota * rng.uniform(0.42, 0.7, nc))),
            "migrant_eligible": i64(migrant),
            "migrant_in_public": i64(np.rint(migrant * rng.uniform(0.8, 0.99, nc))),
            "junior_graduates": i64(grads),
            "junior_cohort_initial": i64(cohort),
            "junior_transfer_in": i64(t_in),
            "junior_transfer_out": i64(t_out),
            "junior_deaths": i64(deaths),
            "disabled_children_total": i64(disabled),
            "disabled_children_enrolled": i64(np.rint(disabled * rng.uniform(0.9, 1.0, nc))),
            "survey_valid": i64(valid),
            "survey_satisfied": i64(np.rint(valid * rng.uniform(0.8, 0.97, nc))),
            "quality_composite": np.round(rng.uniform(0.42, 0.86, nc), 3),
            "quality_between_school_cv": np.round(rng.uniform(0.07, 0.19, nc), 3),
            "veto_flags": counties["_veto"],
        }
    )


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


def iter_year(
    year: int,
    n_counties: int,
    schools_per_county: int,
    seed: int = 0,
    province_code: str | Sequence[str] = "53",
    chunk_counties: int = CHUNK_COUNTIES,
    other_rooms: bool = False,
) -> Iterator[dict[str, pl.DataFrame]]:
    """Yield one census year in chunks of whole counties (same result as generate_year)."""
    counties = make_counties(n_counties, province_code, seed)
    for key, start in enumerate(range(0, counties.height, chunk_counties)):
        chunk = counties.slice(start, chunk_counties)
        skel = make_skeleton(chunk, schools_per_county, seed, key)
        yield make_year(skel, chunk, year, seed, key, other_rooms)


def generate_year(
    year: int,
    n_counties: int,
    schools_per_county: int,
    seed: int = 0,
    province_code: str | Sequence[str] = "53",
    chunk_counties: int = CHUNK_COUNTIES,
    other_rooms: bool = False,
) -> dict[str, pl.DataFrame]:
    """One census year as a dict of polars DataFrames (English canonical headers).

    `other_rooms=True` adds rooms of type `other` (listed in the contract but
    not in pipeline/code_aliases.csv, so off by default).
    """
    parts: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES}
    for chunk in iter_year(year, n_counties, schools_per_county, seed, province_code, chunk_counties, other_rooms):
        for t, df in chunk.items():
            parts[t].append(df)
    return {t: pl.concat(dfs, rechunk=True) for t, dfs in parts.items()}


def size_params(size: str) -> dict:
    try:
        return dict(SIZES[size])
    except KeyError:
        raise ValueError(f"unknown size {size!r}; choose one of {sorted(SIZES)}") from None


# --------------------------------------------------------------------------- #
# Writing
# --------------------------------------------------------------------------- #


def _county_of_rows(chunk: Mapping[str, pl.DataFrame], table: str) -> pl.DataFrame:
    df = chunk[table]
    if table in ("schools", "county"):
        return df.with_columns(pl.col("county_code").alias("__county"))
    lookup = chunk["schools"].select("school_id", pl.col("county_code").alias("__county"))
    return df.join(lookup, on="school_id", how="left", maintain_order="left")


def write_year(
    frames: Mapping[str, pl.DataFrame] | Iterable[Mapping[str, pl.DataFrame]],
    out_dir: str | os.PathLike,
    fmt: str = "csv",
    split_by_county: bool = False,
) -> list[Path]:
    """Write one census year into `out_dir` as `schools.csv`, `classes.csv`, ...

    `frames` is a dict of tables or an iterable of such dicts (chunks of whole
    counties, as from `iter_year`), which are appended. `fmt` is "csv" (UTF-8,
    comma) or "parquet". With `split_by_county` every table is written as one
    file per county (`schools_530102.csv`, `county_530102.csv`, ...).
    Returns the paths written, sorted.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chunks = [frames] if isinstance(frames, Mapping) else frames
    written: set[Path] = set()
    handles: dict[str, io.BufferedWriter] = {}
    pq_writers: dict = {}
    try:
        for chunk in chunks:
            for table in TABLES:
                if table not in chunk:
                    continue
                df = chunk[table]
                if split_by_county:
                    tagged = _county_of_rows(chunk, table)
                    for part in tagged.partition_by("__county", maintain_order=True):
                        code = part["__county"][0]
                        path = out / f"{table}_{code}.{fmt}"
                        _write_one(part.drop("__county"), path, fmt)
                        written.add(path)
                    continue
                path = out / f"{table}.{fmt}"
                if fmt == "csv":
                    fh = handles.get(table)
                    if fh is None:
                        fh = handles[table] = open(path, "wb")  # noqa: SIM115
                        df.write_csv(fh, include_header=True)
                    else:
                        df.write_csv(fh, include_header=False)
                else:
                    import pyarrow.parquet as pq

                    arrow = df.to_arrow()
                    w = pq_writers.get(table)
                    if w is None:
                        w = pq_writers[table] = pq.ParquetWriter(path, arrow.schema, compression="zstd")
                    w.write_table(arrow.cast(w.schema))
                written.add(path)
    finally:
        for fh in handles.values():
            fh.close()
        for w in pq_writers.values():
            w.close()
    return sorted(written)


def _write_one(df: pl.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        df.write_csv(path)
    else:
        df.write_parquet(path, compression="zstd")


# --------------------------------------------------------------------------- #
# CLI
# --------------------------------------------------------------------------- #


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m synthetic.generator",
        description="Generate a fictional census year and write it to <out>/<year>/.",
    )
    ap.add_argument("--size", choices=sorted(SIZES), default="county")
    ap.add_argument("--year", type=int, default=2024)
    ap.add_argument("--format", choices=("csv", "parquet"), default="csv")
    ap.add_argument("--out", required=True, help="folder; files go to <out>/<year>/")
    ap.add_argument("--seed", type=int, default=20240901)
    ap.add_argument("--split-by-county", action="store_true", help="one file per county and table")
    ap.add_argument("--counties", type=int, help="override the number of counties of --size")
    ap.add_argument("--schools-per-county", type=int, help="override schools per county")
    ap.add_argument("--chunk-counties", type=int, default=CHUNK_COUNTIES)
    ap.add_argument("--other-rooms", action="store_true", help="also rooms of type 'other'")
    args = ap.parse_args(argv)

    p = size_params(args.size)
    if args.counties:
        p["n_counties"] = args.counties
    if args.schools_per_county:
        p["schools_per_county"] = args.schools_per_county
    out = Path(args.out) / str(args.year)
    t0 = time.perf_counter()
    counts = dict.fromkeys(TABLES, 0)

    def counted(chunks):
        for chunk in chunks:
            for t, df in chunk.items():
                counts[t] += df.height
            yield chunk

    chunks = iter_year(
        args.year,
        p["n_counties"],
        p["schools_per_county"],
        args.seed,
        p["province_code"],
        args.chunk_counties,
        args.other_rooms,
    )
    paths = write_year(counted(chunks), out, args.format, args.split_by_county)
    secs = time.perf_counter() - t0
    size = sum(x.stat().st_size for x in paths)
    print(
        f"{args.size} {args.year}: "
        + ", ".join(f"{t} {counts[t]:,}" for t in TABLES)
        + f"\n{len(paths)} files, {size / 1e6:,.1f} MB in {out} ({secs:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
