"""The committed demo census: three fictional counties, two years, many formats.

``python -m synthetic.demo [--out data/raw]`` writes ``<out>/2023/`` and
``<out>/2024/`` plus ``<out>/README.md`` describing every file, its format and
its peculiarities, and the defective rows planted in it (with the row numbers a
spreadsheet would show). The output is deterministic: running it twice gives
byte-identical files (CSV, TSV, Parquet and, after re-packing the zip with
fixed timestamps, XLSX).

The data come from ``synthetic.generator`` (same machinery as the benchmark
sizes) with a fixed seed; a few schools are then set by hand so that the
indicator marts have something to show: an urban primary school over 2000
students with super-large classes, a nine-year school over 2500, village
schools and teaching points (one under 50 students), special-education
schools, a complete secondary school with senior classes, new schools in 2024,
and a rural county whose primary CV of the sports ground per student is over
0.50. The values are then rendered per file: Chinese or English headers and
labels, GB18030 / UTF-8 with BOM / UTF-8, CSV / TSV / XLSX / Parquet.

``unit_indicators`` and ``county_cv`` are a small independent re-statement of
indicators.md (R1-R7 per school stage unit and the weighted CV), used to check
that the planted facts hold; they are a test oracle, not the warehouse.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from synthetic.generator import (
    TYPE_CODES,
    VETO_TEXT,
    fictional_names,
    make_skeleton,
    make_year,
)

DEMO_SEED = 20230901
YEARS = (2023, 2024)
COUNTY_CODES = ("539901", "539902", "539903")

COUNTIES = pl.DataFrame(
    {
        "county_code": list(COUNTY_CODES),
        "county_name": ["明湖区", "滨江区", "云岭县"],
        "_urbanity": [0.92, 0.55, 0.12],
        "_rot_p": [0.16, 0.09, 0.04],
        "_veto": pl.Series([None, None, None], dtype=pl.String),
        "_seq": pl.Series([1, 2, 3], dtype=pl.Int32),
    }
)
SCHOOLS_PER_COUNTY = (28, 30, 38)

# --------------------------------------------------------------------------- #
# Hand-set schools (position within its county in the skeleton, -1 = last)
# --------------------------------------------------------------------------- #

_BASE = {
    "ownership": "public",
    "_gmax": 0,
    "_fivefour": False,
    "_crowded": False,
    "_class_sd": 3.0,
    "_split": False,
    "_tp_room": False,
    "_d_music": 0,
    "_d_art": 0,
}
PLANTED: list[dict] = [
    # 539901 明湖区: the crowded city centre
    {"county": "539901", "pos": 0, "school_name": "明湖区实验小学", "school_type": "211",
     "urban_rural": "111", "built_year": 1956, "cpg": (7.0, 0, 0), "cm": (57.5, 0, 0),
     "_crowded": True, "_class_sd": 6.0, "_f_area": 0.85, "_f_sports": 0.6, "_f_equip": 1.1,
     "_f_mm": 1.0, "_q": 1.0, "_arts": 1.0, "_d_music": -1,
     "why": "primary over 2000 students; large and super-large classes; low sports area"},
    {"county": "539901", "pos": 1, "school_name": "明湖区第一中学", "school_type": "311",
     "urban_rural": "111", "built_year": 1952, "cpg": (0, 10.0, 0), "cm": (0, 58.0, 0),
     "_crowded": True, "_class_sd": 5.0, "_f_area": 0.9, "_f_sports": 0.65, "_f_equip": 1.3,
     "_f_mm": 1.05, "_q": 0.8, "_arts": 0.8,
     "why": "junior school with large classes, under the 2000 limit"},
    {"county": "539901", "pos": 2, "school_name": "明湖区星光九年一贯制学校", "school_type": "312",
     "urban_rural": "112", "built_year": 2008, "cpg": (5.0, 7.0, 0), "cm": (51.0, 58.0, 0),
     "_crowded": True, "_class_sd": 5.0, "_f_area": 1.0, "_f_sports": 0.8, "_f_equip": 1.2,
     "_f_mm": 1.1, "_q": 0.3, "_arts": 1.0, "_split": True,
     "why": "nine-year school over 2500; facilities split by stage"},
    {"county": "539901", "pos": 3, "school_name": "明湖区启明学校", "school_type": "513",
     "urban_rural": "111", "built_year": 1988, "cpg": (1.0, 1.0, 0), "cm": (9.0, 10.0, 0),
     "_f_area": 1.5, "_f_sports": 1.5, "_f_equip": 1.5, "_f_mm": 1.0, "_q": 0.0, "_arts": 1.0,
     "why": "special-education school (培智), not evaluated"},
    {"county": "539901", "pos": 4, "school_name": "明湖区青石村小学", "school_type": "211",
     "urban_rural": "220", "built_year": 1972, "cpg": (1.0, 0, 0), "cm": (21.0, 0, 0),
     "_f_area": 1.2, "_f_sports": 2.5, "_f_equip": 0.7, "_f_mm": 0.8, "_q": -0.8, "_arts": 0.5,
     "why": "village school inside an urban district (村庄)"},
    {"county": "539901", "pos": -1, "school_name": "明湖区滨湖新城小学", "school_type": "211",
     "urban_rural": "112", "built_year": 2024, "cpg": (3.0, 0, 0), "cm": (44.0, 0, 0),
     "_f_area": 1.3, "_f_sports": 1.2, "_f_equip": 1.6, "_f_mm": 1.3, "_q": 0.5, "_arts": 1.1,
     "why": "new school, first in the 2024 census"},
    # 539902 滨江区: town and suburbs
    {"county": "539902", "pos": 0, "school_name": "滨江区江南九年一贯制学校", "school_type": "312",
     "urban_rural": "121", "built_year": 1998, "cpg": (3.0, 4.0, 0), "cm": (46.0, 52.0, 0),
     "_class_sd": 4.0, "_f_area": 1.0, "_f_sports": 1.1, "_f_equip": 0.75, "_f_mm": 1.0,
     "_q": -0.2, "_arts": 0.9, "_split": True,
     "why": "nine-year school, facilities split by stage; low equipment"},
    {"county": "539902", "pos": 1, "school_name": "滨江区第二中学", "school_type": "341",
     "urban_rural": "121", "built_year": 1965, "cpg": (0, 6.0, 6.0), "cm": (0, 50.0, 55.0),
     "_class_sd": 4.0, "_f_area": 1.05, "_f_sports": 0.9, "_f_equip": 1.2, "_f_mm": 1.0,
     "_q": 0.4, "_arts": 0.9,
     "why": "complete secondary school: junior and senior classes"},
    {"county": "539902", "pos": -1, "school_name": "滨江区江北中学", "school_type": "311",
     "urban_rural": "122", "built_year": 2024, "cpg": (0, 4.0, 0), "cm": (0, 45.0, 0),
     "_f_area": 1.4, "_f_sports": 1.3, "_f_equip": 1.5, "_f_mm": 1.2, "_q": 0.3, "_arts": 1.0,
     "why": "new school, first in the 2024 census"},
    # 539903 云岭县: rural county
    {"county": "539903", "pos": 0, "school_name": "云岭县民族中学", "school_type": "341",
     "urban_rural": "121", "built_year": 1958, "cpg": (0, 8.0, 6.0), "cm": (0, 54.0, 56.0),
     "_crowded": True, "_class_sd": 5.0, "_f_area": 0.95, "_f_sports": 0.8, "_f_equip": 1.0,
     "_f_mm": 0.95, "_q": 0.0, "_arts": 0.7,
     "why": "complete secondary school of the county seat, large classes"},
    {"county": "539903", "pos": 1, "school_name": "云岭县城关第一小学", "school_type": "211",
     "urban_rural": "121", "built_year": 1950, "cpg": (6.0, 0, 0), "cm": (57.0, 0, 0),
     "_crowded": True, "_class_sd": 5.5, "_f_area": 0.7, "_f_sports": 0.25, "_f_equip": 0.8,
     "_f_mm": 0.85, "_q": -0.3, "_arts": 0.8,
     "why": "crowded county-seat primary; tiny sports ground (drives the county's R5 CV)"},
    {"county": "539903", "pos": 2, "school_name": "云岭县大坪村教学点", "school_type": "218",
     "urban_rural": "220", "built_year": 1978, "cpg": (1.0, 0, 0), "cm": (8.0, 0, 0),
     "_gmax": 3, "_class_sd": 1.5, "_f_area": 1.0, "_f_sports": 3.0, "_f_equip": 0.6,
     "_f_mm": 0.8, "_q": -1.0, "_arts": 0.3,
     "why": "teaching point under 50 students (not evaluated)"},
    {"county": "539903", "pos": 3, "school_name": "云岭县石门村教学点", "school_type": "218",
     "urban_rural": "220", "built_year": 1981, "cpg": (1.0, 0, 0), "cm": (16.0, 0, 0),
     "_gmax": 4, "_class_sd": 2.0, "_f_area": 1.0, "_f_sports": 3.5, "_f_equip": 0.9,
     "_f_mm": 0.9, "_q": -0.6, "_arts": 0.4, "_tp_room": True,
     "why": "teaching point over 50 students (evaluated)"},
    {"county": "539903", "pos": 4, "school_name": "云岭县特殊教育学校", "school_type": "514",
     "urban_rural": "121", "built_year": 2012, "cpg": (1.0, 1.0, 0), "cm": (8.0, 9.0, 0),
     "_f_area": 1.3, "_f_sports": 1.2, "_f_equip": 1.2, "_f_mm": 1.0, "_q": 0.0, "_arts": 1.0,
     "why": "special-education school, not evaluated"},
]  # fmt: skip

AREA_OF_UR = {"111": 0, "112": 0, "121": 1, "122": 1, "123": 1, "210": 2, "220": 2}


def demo_skeleton() -> pl.DataFrame:
    """The generator's skeleton for the demo counties, with the PLANTED schools set."""
    skel = make_skeleton(COUNTIES, SCHOOLS_PER_COUNTY, seed=DEMO_SEED, key=0)
    # only the planted schools are new in 2024
    skel = skel.with_columns(pl.col("built_year").clip(upper_bound=2021))
    pos = skel.with_row_index("_row").with_columns(
        (pl.col("_row") - pl.col("_row").min().over("county_code")).alias("_pos")
    )
    rows = {
        (c, p): r
        for c, p, r in pos.select("county_code", "_pos", "_row").iter_rows()  # ~100 rows
    }
    updates: dict[str, list] = {}
    row_ids: list[int] = []
    for plant in PLANTED:
        p = plant["pos"] % SCHOOLS_PER_COUNTY[COUNTY_CODES.index(plant["county"])]
        row_ids.append(rows[(plant["county"], p)])
        values = dict(_BASE)
        values.update({k: v for k, v in plant.items() if k not in ("county", "pos", "why")})
        cpg, cm = values.pop("cpg"), values.pop("cm")
        values.update(dict(zip(("_cpg_p", "_cpg_j", "_cpg_s"), map(float, cpg), strict=True)))
        values.update(dict(zip(("_cm_p", "_cm_j", "_cm_s"), map(float, cm), strict=True)))
        values["_type"] = TYPE_CODES.index(values["school_type"])
        values["_area"] = AREA_OF_UR[values["urban_rural"]]
        for k, v in values.items():
            updates.setdefault(k, []).append(v)
    n_planted = len(row_ids)
    patch = pl.DataFrame({"_row": pl.Series(row_ids, dtype=pl.UInt32)}).with_columns(
        pl.Series(k, v, dtype=skel.schema[k]) for k, v in updates.items()
    )
    assert patch.height == n_planted
    merged = (
        skel.with_row_index("_row")
        .join(patch, on="_row", how="left", suffix="__new", maintain_order="left")
        .with_columns(pl.coalesce(f"{k}__new", k).alias(k) for k in updates)
        .drop([f"{k}__new" for k in updates] + ["_row"])
    )
    # 云岭县: village schools on large mountain grounds, county-seat schools cramped, so
    # that the county's primary CV of R5 (sports ground per student) is over 0.50
    return merged.with_columns(
        pl.when(pl.col("county_code") == "539903")
        .then(pl.col("_f_sports") * pl.when(pl.col("_area") == 2).then(1.8).otherwise(0.8))
        .otherwise(pl.col("_f_sports"))
        .alias("_f_sports")
    )


def demo_frames(year: int) -> dict[str, pl.DataFrame]:
    """Canonical (English) frames of one demo year, before rendering and defects."""
    frames = make_year(demo_skeleton(), COUNTIES, year, seed=DEMO_SEED, key=0)
    county = frames["county"]
    if year == 2023:
        # 2023: no county figures for 539903 (its county indicators are `no_data`),
        # and one veto item for 539902
        county = county.filter(pl.col("county_code") != "539903").with_columns(
            pl.when(pl.col("county_code") == "539902")
            .then(pl.lit(VETO_TEXT))
            .otherwise(pl.col("veto_flags"))
            .alias("veto_flags")
        )
    frames["county"] = county
    return frames


# --------------------------------------------------------------------------- #
# Oracle: R1-R7 per unit and the weighted CV (indicators.md), for checks
# --------------------------------------------------------------------------- #

STANDARDS = {  # indicator: (primary, junior)
    "R1": (4.2, 5.3), "R2": (1.0, 1.0), "R3": (0.9, 0.9), "R4": (4.5, 5.8),
    "R5": (7.5, 10.2), "R6": (2000.0, 2500.0), "R7": (2.3, 2.4),
}  # fmt: skip
STAGE_WEIGHT = {"primary": 1.0, "junior": 1.1, "senior": 1.32}


def unit_indicators(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per school stage unit: students, R1..R7 values, evaluated, passes."""
    sch = frames["schools"].select("school_id", "county_code", "school_type")
    cls = frames["classes"]
    stud = cls.group_by("school_id", "stage").agg(pl.col("students").sum())
    special = pl.col("school_type").is_in(["511", "512", "513", "514"])
    with_classes = cls.select("school_id", "stage").unique()
    units = pl.concat(
        [
            sch.filter(pl.col("school_type").is_in(["211", "218", "312", "345"])).with_columns(stage=pl.lit("primary")),
            sch.filter(pl.col("school_type").is_in(["311", "312", "341", "345"])).with_columns(stage=pl.lit("junior")),
            sch.filter(special).join(with_classes.filter(pl.col("stage").is_in(["primary", "junior"])), on="school_id"),
        ]
    ).join(stud, on=["school_id", "stage"], how="left")
    units = units.with_columns(pl.col("students").fill_null(0))

    edu = pl.col("education")
    tea = (
        frames["teachers"]
        .group_by("school_id", "stage")
        .agg(
            pl.len().alias("teachers"),
            pl.when(pl.col("stage") == "primary")
            .then(edu.is_in(["associate", "bachelor", "postgraduate"]))
            .otherwise(edu.is_in(["bachelor", "postgraduate"]))
            .sum()
            .alias("n1"),
            (pl.col("backbone_level") != "none").sum().alias("n2"),
            pl.col("subject").is_in(["pe", "music", "art"]).sum().alias("n3"),
        )
    )
    # facility share of each stage: own row, or the weighted split of an `all` row
    w = stud.with_columns(
        (pl.col("stage").replace_strict(STAGE_WEIGHT, return_dtype=pl.Float64) * pl.col("students")).alias("w")
    )
    w = w.with_columns((pl.col("w") / pl.col("w").sum().over("school_id")).alias("share"))
    fac = frames["facilities"]
    amounts = ["teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms"]
    own = fac.filter(pl.col("stage") != "all").select("school_id", "stage", *amounts)
    shared = (
        fac.filter(pl.col("stage") == "all")
        .join(w.select("school_id", pl.col("stage").alias("s"), "share"), on="school_id")
        .select("school_id", pl.col("s").alias("stage"), *[pl.col(a) * pl.col("share") for a in amounts])
    )
    fac_u = pl.concat([own.cast({a: pl.Float64 for a in amounts}), shared])

    u = (
        units.join(tea, on=["school_id", "stage"], how="left")
        .join(fac_u, on=["school_id", "stage"], how="left")
        .with_columns(pl.col("teachers", "n1", "n2", "n3").fill_null(0))
    )
    per100 = 100 / pl.col("students")
    u = u.with_columns(
        pl.when(pl.col("students") > 0).then(v).alias(k)
        for k, v in {
            "R1": pl.col("n1") * per100,
            "R2": pl.col("n2") * per100,
            "R3": pl.col("n3") * per100,
            "R4": pl.col("teaching_aux_area_m2") / pl.col("students"),
            "R5": pl.col("sports_area_m2") / pl.col("students"),
            "R6": pl.col("equipment_value_yuan") / pl.col("students"),
            "R7": pl.col("multimedia_classrooms") * per100,
        }.items()
    )
    is_primary = pl.col("stage") == "primary"
    ratios = [
        (pl.col(k) / pl.when(is_primary).then(p).otherwise(j)).alias(f"{k}_ratio") for k, (p, j) in STANDARDS.items()
    ]
    u = u.with_columns(ratios)
    rcols = [f"{k}_ratio" for k in STANDARDS]
    u = u.with_columns(
        pl.sum_horizontal([pl.col(c) >= 1 for c in rcols]).alias("met_count"),
        pl.min_horizontal(rcols).alias("min_ratio"),
        pl.any_horizontal([pl.col(c).is_null() for c in rcols]).alias("_any_null"),
        pl.when(special)
        .then(pl.lit("special_education"))
        .when((pl.col("school_type") == "218") & (pl.col("students") < 50))
        .then(pl.lit("teaching_point_under_50"))
        .when(pl.col("students") == 0)
        .then(pl.lit("no_students"))
        .alias("excluded_reason"),
    )
    return u.with_columns(
        pl.col("excluded_reason").is_null().alias("evaluated"),
        (~pl.col("_any_null") & (pl.col("met_count") >= 6) & (pl.col("min_ratio") >= 0.85)).alias("passes"),
    ).drop("_any_null")


def county_cv(units: pl.DataFrame) -> pl.DataFrame:
    """Student-weighted CV per county, stage and indicator over evaluated units."""
    long = (
        units.filter(pl.col("evaluated"))
        .unpivot(index=["county_code", "stage", "students"], on=list(STANDARDS), variable_name="indicator")
        .drop_nulls("value")
    )
    p = pl.col("students").cast(pl.Float64)
    mean = (p * pl.col("value")).sum() / p.sum()
    return (
        long.group_by("county_code", "stage", "indicator")
        .agg(
            pl.len().alias("n_units"),
            mean.alias("weighted_mean"),
            ((p * (pl.col("value") - mean) ** 2).sum() / p.sum()).sqrt().alias("sd"),
        )
        .with_columns((pl.col("sd") / pl.col("weighted_mean")).alias("cv"))
        .sort("county_code", "stage", "indicator")
    )


# --------------------------------------------------------------------------- #
# Rendering: labels, headers, formats
# --------------------------------------------------------------------------- #

ZH_LABELS = {
    "school_type": {"211": "小学", "218": "小学教学点", "311": "初级中学", "312": "九年一贯制学校",
                    "341": "完全中学", "345": "十二年一贯制学校", "511": "盲人学校",
                    "512": "聋人学校", "513": "培智学校", "514": "其他特殊教育学校"},
    "urban_rural": {"111": "主城区", "112": "城乡结合区", "121": "镇中心区", "122": "镇乡结合区",
                    "123": "特殊区域", "210": "乡中心区", "220": "村庄"},
    "ownership": {"public": "公办", "private": "民办"},
    "stage": {"primary": "小学", "junior": "初中", "senior": "高中"},
    "facility_stage": {"all": "全校", "primary": "小学", "junior": "初中"},
    "education": {"postgraduate": "研究生", "bachelor": "本科", "associate": "专科",
                  "senior_secondary": "高中/中专", "below": "高中以下"},
    "backbone_level": {"none": "无", "county": "县级", "city": "市级", "province": "省级",
                       "national": "国家级"},
    "subject": {"pe": "体育", "music": "音乐", "art": "美术", "chinese": "语文", "math": "数学",
                "english": "英语", "science": "科学", "morality": "道德与法治", "it": "信息技术",
                "physics": "物理", "chemistry": "化学", "biology": "生物", "history": "历史",
                "geography": "地理", "politics": "思想政治"},
    "room_type": {"music": "音乐教室", "art": "美术教室"},
    "bool": {True: "是", False: "否"},
}  # fmt: skip

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


@dataclass
class Note:
    """A planted peculiarity or defect: where it is and what ingestion should do."""

    file: str
    row: int  # as a spreadsheet shows it (header = row 1; XLSX: its sheet's row)
    column: str
    value: str
    expect: str  # "accept" or "reject"
    what: str
    sheet: str | None = None


@dataclass
class RenderedFile:
    name: str
    fmt: str
    encoding: str
    headers: str
    description: str
    notes: list[Note] = field(default_factory=list)


def _strings(df: pl.DataFrame) -> pl.DataFrame:
    """All columns as text (how a CSV export holds them); booleans as true/false."""
    return df.with_columns(
        pl.col(c).cast(pl.String).str.to_lowercase() if t == pl.Boolean else pl.col(c).cast(pl.String)
        for c, t in df.schema.items()
    )


def _zh_values(df: pl.DataFrame, domains: dict[str, str]) -> pl.DataFrame:
    exprs = []
    for col, dom in domains.items():
        mapping = ZH_LABELS[dom]
        if dom == "bool":
            exprs.append(pl.col(col).replace_strict({True: "是", False: "否"}, return_dtype=pl.String))
        else:
            exprs.append(pl.col(col).replace_strict(mapping, return_dtype=pl.String))
    return df.with_columns(exprs)


def _set_cell(df: pl.DataFrame, idx: int, col: str, value: str) -> pl.DataFrame:
    return df.with_columns(pl.when(pl.int_range(pl.len()) == idx).then(pl.lit(value)).otherwise(pl.col(col)).alias(col))


def _insert_row(df: pl.DataFrame, idx: int, row: dict) -> pl.DataFrame:
    new = pl.DataFrame({c: [row[c]] for c in df.columns}, schema=df.schema)
    return pl.concat([df.head(idx), new, df.slice(idx)])


def _csv_text(df: pl.DataFrame, sep: str = ",", eol: str = "\n") -> str:
    return df.write_csv(separator=sep, line_terminator=eol)


def _write_text(path: Path, text: str, encoding: str) -> None:
    if encoding == "utf-8-sig":
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    else:
        path.write_bytes(text.encode(encoding))


FIXED_TIME = dt.datetime(2024, 11, 1, 9, 0, 0)


def _write_xlsx(path: Path, sheets: list[tuple[str, str, list[str], list[list]]]) -> None:
    """XLSX with a merged title row above the header on every sheet; deterministic."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, title, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        ws.append(header)
        for r in rows:
            ws.append(r)
        for col, width in zip("ABCDE", (14, 10, 8, 8, 10), strict=False):
            ws.column_dimensions[col].width = width
    props = wb.properties
    props.creator = "synthetic.demo"
    props.lastModifiedBy = "synthetic.demo"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    # openpyxl sets `modified` to now when saving and stamps every zip member with
    # the current time: re-pack with fixed ones so that two runs give the same bytes
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data
                )
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = info.external_attr
            zout.writestr(zi, data)
    path.write_bytes(out.getvalue())


def _area_code_12(schools: pl.DataFrame) -> pl.Series:
    """A 12-digit area code (county + township + village) derived from the school id."""
    num = schools["school_id"].cast(pl.Int64).to_numpy()
    ur = schools["urban_rural"].to_numpy()
    town = np.where(
        np.isin(ur, ["111", "112"]),
        1 + num % 9,
        np.where(np.isin(ur, ["121", "122", "123"]), 100 + num % 7, 200 + num % 15),
    )
    village = np.where(np.isin(ur, ["210", "220"]), 200 + (num // 7) % 30, 1 + (num // 7) % 20)
    return pl.Series(
        [f"{c}{t:03d}{v:03d}" for c, t, v in zip(schools["county_code"], town, village, strict=True)]
    )  # ~25 schools


def render_year(
    frames: dict[str, pl.DataFrame], year: int, out: Path
) -> tuple[list[RenderedFile], dict[str, list[str]]]:
    """Write one demo year into `out` (= <root>/<year>) and describe what was written.

    Files already in `out` are removed first (a stale file would be loaded too).
    Returns the files and the keys of real rows that a correct ingestion loses to
    the planted defects (`{"classes": ["<school_id>/<class_id>"], "teachers": [...]}`).
    """
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file():
            old.unlink()
    files: list[RenderedFile] = []
    lost: dict[str, list[str]] = {"classes": [], "teachers": []}
    sch = frames["schools"]
    names = dict(zip(COUNTIES["county_code"], COUNTIES["county_name"], strict=True))

    def by_county(table: str, code: str) -> pl.DataFrame:
        df = frames[table]
        if table == "schools":
            return df.filter(pl.col("county_code") == code)
        ids = sch.filter(pl.col("county_code") == code)["school_id"].implode()
        return df.filter(pl.col("school_id").is_in(ids))

    # ---------------- 539901: GB18030 with Chinese headers, BOM, 万元 ----------
    c = "539901"
    s1 = by_county("schools", c)
    df = _zh_values(s1, {"school_type": "school_type", "urban_rural": "urban_rural", "ownership": "ownership"})
    df = _strings(df.with_columns(_area_code_12(s1).alias("county_code")))
    f = RenderedFile(
        f"schools_{c}.csv",
        "CSV",
        "GB18030, CRLF line ends",
        "Chinese",
        "Chinese headers and labels (小学, 村庄, 公办 ...); 所在地区划代码 holds the 12-digit area "
        "code (county + township + village), which ingestion cuts to its first 6 digits",
    )
    for i in (3, 9):
        v = df["built_year"][i]
        df = _set_cell(df, i, "built_year", fullwidth(v))
        f.notes.append(Note(f.name, i + 2, "建校年份", fullwidth(v), "accept", "full-width digits"))
    df = df.rename({"school_id": "学校标识码", "school_name": "学校名称", "county_code": "所在地区划代码",
                    "county_name": "区县名称", "school_type": "办学类型", "urban_rural": "城乡分类",
                    "ownership": "办学性质", "built_year": "建校年份"})  # fmt: skip
    _write_text(out / f.name, _csv_text(df, eol="\r\n"), "gb18030")
    files.append(f)

    t1 = by_county("teachers", c)
    df = _zh_values(t1, {"stage": "stage", "education": "education", "backbone_level": "backbone_level",
                         "subject": "subject", "has_certificate": "bool", "rotation_eligible": "bool",
                         "rotated": "bool"})  # fmt: skip
    tkeys = t1["teacher_id"].cast(pl.UInt64).to_numpy()
    df = _strings(df).with_columns(fictional_names(tkeys).alias("name"))
    f = RenderedFile(
        f"teachers_{c}.csv",
        "CSV",
        "GB18030, CRLF line ends",
        "Chinese",
        "Chinese headers and labels (本科, 县级, 体育, 是/否 ...); a 姓名 column with invented "
        "names (personal data: must be dropped), one of them with 𠮷, a character that GB18030 "
        "encodes in 4 bytes and GBK cannot decode",
    )
    df = _set_cell(df, 4, "name", "𠮷" + df["name"][4][1:])
    f.notes.append(Note(f.name, 6, "姓名", df["name"][4], "accept", "4-byte GB18030 character"))
    v = df["training_hours_5y"][7]
    df = _set_cell(df, 7, "training_hours_5y", fullwidth(v))
    f.notes.append(Note(f.name, 9, "近五年培训学时", fullwidth(v), "accept", "full-width digits"))
    df = df.select(
        pl.col("teacher_id").alias("教职工号"), pl.col("name").alias("姓名"),
        pl.col("school_id").alias("学校标识码"), pl.col("stage").alias("任教学段"),
        pl.col("education").alias("最高学历"), pl.col("backbone_level").alias("骨干教师级别"),
        pl.col("subject").alias("主要任教学科"), pl.col("has_certificate").alias("是否持有教师资格证"),
        pl.col("training_hours_5y").alias("近五年培训学时"),
        pl.col("rotation_eligible").alias("是否符合交流轮岗条件"),
        pl.col("rotated").alias("本学年是否交流轮岗"),
    )  # fmt: skip
    _write_text(out / f.name, _csv_text(df, eol="\r\n"), "gb18030")
    files.append(f)

    df = _strings(_zh_values(by_county("classes", c), {"stage": "stage"}))
    f = RenderedFile(
        f"classes_{c}.csv",
        "CSV",
        "UTF-8 with BOM",
        "Chinese",
        "Chinese headers, stage as 小学/初中; class_id with leading zeros (0301 = grade 3, class 1)",
    )
    dup = 40
    df = _insert_row(df, dup + 1, df.row(dup, named=True))
    f.notes.append(
        Note(f.name, dup + 3, "(whole row)", ",".join(df.row(dup)), "reject",
             f"exact duplicate of row {dup + 2}: loaded once, the copy rejected as a duplicate")
    )  # fmt: skip
    df = df.rename({"school_id": "学校标识码", "class_id": "班级编号", "stage": "学段", "grade": "年级",
                    "students": "班级人数"})  # fmt: skip
    _write_text(out / f.name, _csv_text(df), "utf-8-sig")
    files.append(f)

    fac = by_county("facilities", c)
    df = _strings(_zh_values(fac, {"stage": "facility_stage"})).with_columns(
        pl.format(
            "{}.{}",
            pl.col("equipment_value_yuan").cast(pl.Int64) // 10000,
            ((pl.col("equipment_value_yuan").cast(pl.Int64) % 10000) // 100).cast(pl.String).str.zfill(2),
        ).alias("equipment_value_yuan")
    )
    f = RenderedFile(
        f"facilities_{c}.csv",
        "CSV",
        "UTF-8 with BOM",
        "Chinese",
        "equipment in 万元 under the header 教学仪器设备资产值（万元） (ingestion multiplies by "
        "10,000); stage as 全校/小学/初中 (the nine-year school reports per stage)",
    )
    df = df.rename({"school_id": "学校标识码", "stage": "学段", "teaching_aux_area_m2": "教学及辅助用房面积（平方米）",
                    "sports_area_m2": "体育运动场（馆）面积（平方米）",
                    "equipment_value_yuan": "教学仪器设备资产值（万元）",
                    "multimedia_classrooms": "网络多媒体教室数（间）"})  # fmt: skip
    _write_text(out / f.name, _csv_text(df), "utf-8-sig")
    files.append(f)

    # ---------------- 539902: TSV, XLSX with title row, plain CSV ------------
    c = "539902"
    df = _strings(by_county("schools", c))
    f = RenderedFile(
        f"schools_{c}.tsv",
        "TSV (tab-separated)",
        "UTF-8",
        "English",
        "tab-separated; codes as numbers (211, 121 ...); trailing spaces after a few codes",
    )
    for i, col in ((2, "urban_rural"), (5, "urban_rural"), (6, "school_type")):
        v = df[col][i] + " "
        df = _set_cell(df, i, col, v)
        f.notes.append(Note(f.name, i + 2, col, v, "accept", "trailing space after the code"))
    _write_text(out / f.name, _csv_text(df, sep="\t"), "utf-8")
    files.append(f)

    cls = by_county("classes", c)
    f = RenderedFile(
        f"classes_{c}.xlsx",
        "XLSX",
        "-",
        "Chinese",
        "one sheet per grade group (小学, 初中, 高中); on every sheet a merged title row (row 1) "
        "above the header (row 2); school_id and class_id are text cells, grade and students numbers",
    )
    sheets = []
    header = ["学校代码", "班号", "学段", "年级", "学生数"]
    for stage, zh in ZH_LABELS["stage"].items():
        part = cls.filter(pl.col("stage") == stage)
        if part.height == 0:
            continue
        rows = [[r[0], r[1], zh, r[3], r[4]] for r in part.iter_rows()]
        title = f"{names[c]}{year}年秋季学期班级情况统计表（{zh}，虚构数据）"
        sheets.append((zh, title, header, rows))
    _write_xlsx(out / f.name, sheets)
    files.append(f)

    df = _strings(by_county("teachers", c))
    f = RenderedFile(
        f"teachers_{c}.csv",
        "CSV",
        "UTF-8",
        "English",
        "English headers and codes; booleans as true/false; trailing spaces after a few school ids",
    )
    for i in (10, 11, 12):
        v = df["school_id"][i] + " "
        df = _set_cell(df, i, "school_id", v)
        f.notes.append(Note(f.name, i + 2, "school_id", v, "accept", "trailing space after the code"))
    # orphan: a teacher whose school_id (two digits swapped) exists nowhere
    known = set(sch["school_id"])
    base = df.row(20, named=True)
    sid = base["school_id"].strip()
    bad = next(
        x for x in (sid[:j] + sid[j + 1] + sid[j] + sid[j + 2 :] for j in range(len(sid) - 2, 0, -1)) if x not in known
    )
    orphan = dict(base, teacher_id=f"{bad}0001", school_id=bad)
    pos = 30
    df = _insert_row(df, pos, orphan)
    f.notes.append(Note(f.name, pos + 2, "school_id", bad, "reject",
                        "school_id exists in no schools file of the year (typing error): orphan"))  # fmt: skip
    if year == 2024:
        # the same teacher_id twice with different values: both rows rejected
        i = 50
        first = df.row(i, named=True)
        hours = str(int(first["training_hours_5y"]) + 48)
        lost["teachers"].append(first["teacher_id"])
        df = pl.concat([df, pl.DataFrame([dict(first, training_hours_5y=hours)], schema=df.schema)])
        f.notes.append(Note(f.name, i + 2, "teacher_id", first["teacher_id"], "reject",
                            f"same teacher_id as row {df.height + 1} with other values: both rejected"))  # fmt: skip
        f.notes.append(Note(f.name, df.height + 1, "teacher_id", first["teacher_id"], "reject",
                            f"same teacher_id as row {i + 2} (training_hours_5y {hours}): both rejected"))  # fmt: skip
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    df = _strings(by_county("facilities", c))
    f = RenderedFile(
        f"facilities_{c}.csv",
        "CSV",
        "UTF-8",
        "English",
        "English headers, equipment in yuan; stage all / primary / junior",
    )
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    # ---------------- 539903: Parquet teachers, plain CSVs -------------------
    c = "539903"
    df = _strings(by_county("schools", c))
    f = RenderedFile(f"schools_{c}.csv", "CSV", "UTF-8", "English", "English headers and codes")
    if year == 2024:
        kg = {
            "school_id": "2539038888", "school_name": "云岭县阳光幼儿园（虚构）",
            "county_code": c, "county_name": names[c], "school_type": "111",
            "urban_rural": "121", "ownership": "private", "built_year": "2015",
        }  # fmt: skip
        assert kg["school_id"] not in known
        pos = df.height // 2
        df = _insert_row(df, pos, kg)
        f.notes.append(Note(f.name, pos + 2, "school_type", "111", "reject",
                            "a kindergarten (办学类型 111) is no contract school type"))  # fmt: skip
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    df = _strings(by_county("classes", c))
    f = RenderedFile(
        f"classes_{c}.csv",
        "CSV",
        "UTF-8",
        "English",
        "English headers; stage primary/junior/senior (the complete secondary school has senior classes)",
    )
    forty = df.with_row_index("i").filter(pl.col("students") == "40")["i"]
    i = int(forty[0]) if forty.len() else 10
    f.notes.append(Note(f.name, i + 2, "students", "四十", "reject",
                        f"students written in Chinese numerals (was {df['students'][i]}): not a number"))  # fmt: skip
    df = _set_cell(df, i, "students", "四十")
    lost["classes"].append(f"{df['school_id'][i]}/{df['class_id'][i]}")
    for j in (i + 5, i + 17):
        v = fullwidth(df["students"][j])
        df = _set_cell(df, j, "students", v)
        f.notes.append(Note(f.name, j + 2, "students", v, "accept", "full-width digits"))
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    tea = by_county("teachers", c)
    f = RenderedFile(
        f"teachers_{c}.parquet",
        "Parquet (zstd)",
        "-",
        "English",
        "typed columns: booleans as BOOLEAN, training_hours_5y as INT32",
    )
    tea.write_parquet(out / f.name, compression="zstd", statistics=True)
    files.append(f)

    df = _strings(by_county("facilities", c))
    f = RenderedFile(f"facilities_{c}.csv", "CSV", "UTF-8", "English", "English headers")
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    # ---------------- whole city: rooms, finance, county ---------------------
    df = _strings(_zh_values(frames["rooms"], {"room_type": "room_type"})).rename(
        {
            "school_id": "学校标识码",
            "room_type": "专用教室类型",
            "area_m2": "使用面积（平方米）",
            "built_year": "建成年份",
        }  # fmt: skip
    )
    f = RenderedFile(
        "rooms.csv",
        "CSV",
        "UTF-8",
        "Chinese",
        "music and art rooms of all three counties; 专用教室类型 as 音乐教室/美术教室; "
        "some rooms too small, some schools without any",
    )
    _write_text(out / f.name, _csv_text(df), "utf-8")
    files.append(f)

    f = RenderedFile("finance.csv", "CSV", "UTF-8", "English", "one row per school, all three counties")
    _write_text(out / f.name, _csv_text(_strings(frames["finance"])), "utf-8")
    files.append(f)

    county = frames["county"]
    desc = "one row per county; percent columns as numbers 0-100; veto_flags empty = none"
    if year == 2023:
        desc += "; 539903 is missing (its county indicators are no_data), 539902 has a veto item"
    f = RenderedFile("county.csv", "CSV", "UTF-8", "English", desc)
    _write_text(out / f.name, _csv_text(_strings(county)), "utf-8")
    files.append(f)
    return files, lost


# --------------------------------------------------------------------------- #
# Facts and README
# --------------------------------------------------------------------------- #


def demo_facts(frames: dict[str, pl.DataFrame]) -> dict:
    """Numbers that the README states and the tests check (from canonical frames)."""
    units = unit_indicators(frames)
    cv = county_cv(units)
    cls = frames["classes"].join(frames["schools"].select("school_id", "school_type"), on="school_id")
    comp = cls.filter(pl.col("stage").is_in(["primary", "junior"]))
    limit = pl.when(pl.col("stage") == "primary").then(45).otherwise(50)
    size = (
        comp.filter(~pl.col("school_type").is_in(["511", "512", "513", "514"]))
        .group_by("school_id", "school_type")
        .agg(pl.col("students").sum())
        .join(frames["schools"].select("school_id", "school_name"), on="school_id")
        .with_columns(pl.when(pl.col("school_type").is_in(["312", "345"])).then(2500).otherwise(2000).alias("limit"))
    )
    ev = units.filter(pl.col("evaluated"))
    failing = {k: int((ev[f"{k}_ratio"] < 1).sum()) for k in STANDARDS}
    return {
        "schools": frames["schools"].height,
        "classes": frames["classes"].height,
        "teachers": frames["teachers"].height,
        "units": units.height,
        "evaluated_units": ev.height,
        "passing_units": int(ev["passes"].sum()),
        "failing_by_indicator": failing,
        "classes_over_standard": int(comp.filter(pl.col("students") > limit).height),
        "classes_large": int(comp.filter(pl.col("students").is_between(56, 65)).height),
        "classes_super_large": int(comp.filter(pl.col("students") >= 66).height),
        "max_class": int(comp["students"].max()),
        "schools_over_size": size.filter(pl.col("students") > pl.col("limit"))
        .sort("school_id")
        .select("school_id", "school_name", "school_type", "students", "limit")
        .rows(),
        "teaching_points": units.filter(pl.col("school_type") == "218")
        .join(frames["schools"].select("school_id", "school_name"), on="school_id")
        .select("school_id", "school_name", "students", "evaluated")
        .sort("school_id")
        .rows(),
        "cv_over_limit": cv.filter(pl.col("cv") > pl.when(pl.col("stage") == "primary").then(0.5).otherwise(0.45))
        .select("county_code", "stage", "indicator", pl.col("cv").round(3))
        .rows(),
        "special_schools": frames["schools"]
        .filter(pl.col("school_type").is_in(["511", "512", "513", "514"]))
        .sort("school_id")
        .select("school_id", "school_name", "school_type")
        .rows(),
        "five_four_schools": cls.filter((pl.col("grade") == 6) & (pl.col("stage") == "junior"))
        .join(frames["schools"].select("school_id", "school_name"), on="school_id")
        .group_by("school_id", "school_name")
        .len()
        .sort("school_id")
        .rows(),
        "training_share_below_5pct": int(
            frames["finance"].filter(pl.col("teacher_training_yuan") < 0.05 * pl.col("public_funds_budget_yuan")).height
        ),
    }


def without_lost_rows(frames: dict[str, pl.DataFrame], lost: dict[str, list[str]]) -> dict:
    """The frames as a correct ingestion loads them: minus the real rows that defects cost."""
    out = dict(frames)
    out["classes"] = frames["classes"].filter(
        ~pl.concat_str("school_id", pl.lit("/"), "class_id").is_in(
            pl.Series(lost["classes"], dtype=pl.String).implode()
        )
    )
    out["teachers"] = frames["teachers"].filter(
        ~pl.col("teacher_id").is_in(pl.Series(lost["teachers"], dtype=pl.String).implode())
    )
    return out


def write_demo(root: str | Path = "data/raw") -> dict[int, list[RenderedFile]]:
    """Write both demo years and the README under `root`; return the files per year."""
    root = Path(root)
    written = {}
    facts = {}
    for year in YEARS:
        frames = demo_frames(year)
        written[year], lost = render_year(frames, year, root / str(year))
        facts[year] = demo_facts(without_lost_rows(frames, lost))
    (root / "README.md").write_text(_readme(root, written, facts), encoding="utf-8")
    return written


def _readme(root: Path, written: dict[int, list[RenderedFile]], facts: dict[int, dict]) -> str:
    lines = [
        "# Demo census data (fictional)",
        "",
        "Written by `python -m synthetic.demo` (do not edit by hand: re-run it). Everything here is",
        "invented: the city 5399 and its counties 539901 明湖区, 539902 滨江区 and 539903 云岭县 do",
        "not exist, and neither do the schools, teachers or names. The generator is",
        "`synthetic/generator.py`; the hand-set schools and the rendering are in `synthetic/demo.py`.",
        "The run is deterministic: a second run gives byte-identical files.",
        "",
        "Each year folder holds the census of the autumn of that year. The tables `schools`,",
        "`classes`, `teachers` and `facilities` come as one file per county, each county in its own",
        "mix of formats; `rooms`, `finance` and `county` as one file for the city. 2024 has the same",
        "schools as 2023 with new numbers, plus two new schools (明湖区滨湖新城小学, 滨江区江北中学).",
        "",
    ]
    for year, files in written.items():
        lines += [f"## {year}", "", "| file | bytes | format | encoding | headers | peculiarities |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for f in files:
            size = (root / str(year) / f.name).stat().st_size
            lines.append(f"| `{year}/{f.name}` | {size:,} | {f.fmt} | {f.encoding} | {f.headers} | {f.description} |")
        lines += ["", f"### Planted cells and rows in {year}", "",
                  "Row numbers as a spreadsheet shows them: the header is row 1 (in the XLSX the "
                  "title is row 1 and the header row 2). `accept` = ingestion must read the value "
                  "correctly; `reject` = ingestion must reject the row and record why.", "",
                  "| file | row | column | value | expect | what |", "|---|---|---|---|---|---|"]  # fmt: skip
        for f in files:
            for n in f.notes:
                val = repr(n.value) if n.value != n.value.strip() else n.value
                val = val if len(val) < 60 else val[:57] + "..."
                lines.append(f"| `{n.file}` | {n.row} | {n.column} | `{val}` | {n.expect} | {n.what} |")
        fx = facts[year]
        fail = ", ".join(f"{k} {v}" for k, v in fx["failing_by_indicator"].items())
        size = "; ".join(f"{s} {nm} ({t}) {n} > {lim}" for s, nm, t, n, lim in fx["schools_over_size"])
        tps = "; ".join(
            f"{s} {nm}: students {n} ({'evaluated' if e else 'not evaluated'})" for s, nm, n, e in fx["teaching_points"]
        )
        cvs = "; ".join(f"{c} {s} {i} CV {v}" for c, s, i, v in fx["cv_over_limit"])
        lines += [
            "",
            f"### What the {year} data should show",
            "",
            f"- {fx['schools']} schools, {fx['classes']:,} classes, {fx['teachers']:,} teachers "
            "as loaded after the rejections above (the class written 四十 and, in 2024, both rows "
            "of the twice-used teacher_id are not counted in any figure here).",
            "- Special-education schools (units not evaluated): "
            + "; ".join(f"{s} {nm} ({t})" for s, nm, t in fx["special_schools"])
            + ".",
            f"- {fx['units']} school stage units, {fx['evaluated_units']} evaluated, "
            f"{fx['passing_units']} of them pass resource allocation.",
            f"- Evaluated units below standard, per indicator: {fail}.",
            f"- Primary/junior classes over the standard: {fx['classes_over_standard']}, of them "
            f"large (56-65) {fx['classes_large']} and super-large (66+) {fx['classes_super_large']}; "
            f"the largest has {fx['max_class']} students.",
            f"- Schools over the size limit: {size}.",
            f"- Teaching points: {tps}.",
            f"- County CVs over the limit (student-weighted): {cvs}.",
            "- Five-four system (grade 6 classes with stage junior; stage wins): "
            + "; ".join(f"{s} {nm} ({n} classes)" for s, nm, n in fx["five_four_schools"])
            + ".",
            f"- Schools spending under 5 % of the public-funds budget on training: {fx['training_share_below_5pct']}.",
            "",
        ]
    lines += [
        "## Hand-set schools",
        "",
        "| county | school | type | urban_rural | why |",
        "|---|---|---|---|---|",
    ]
    for p in PLANTED:
        lines.append(f"| {p['county']} | {p['school_name']} | {p['school_type']} | {p['urban_rural']} | {p['why']} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synthetic.demo", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="data/raw", help="root folder (default data/raw)")
    args = ap.parse_args(argv)
    written = write_demo(args.out)
    root = Path(args.out)
    total = 0
    for year, files in written.items():
        for f in files:
            size = (root / str(year) / f.name).stat().st_size
            total += size
            print(f"{year}/{f.name:28s} {size:>9,} B  {f.fmt}, {f.encoding}")
    print(f"total {total:,} bytes; README at {root / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
