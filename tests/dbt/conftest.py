"""Fixtures for the dbt project's tests: a throwaway census warehouse, the real `dbt build`.

* `create_warehouse(path, tables)` creates the `raw` and `audit` schemas exactly as the
  ingestion does (pipeline/ingest/raw_tables.py: same tables, columns and types, lineage
  columns filled in) and inserts the rows each test states as dicts; missing columns are NULL.
* `run_dbt(workdir, args, year=None)` runs the real dbt CLI on `workdir/warehouse.duckdb`
  with its own --target-path and --log-path, so tests can run in parallel.
* `main_warehouse` (session): one build of the dataset `MAIN_TABLES` below, which holds
  several counties that do not interfere with each other, each built for a group of edge
  cases of indicators.md; tests query it through a read-only connection.

Every dbt invocation costs ~4 s of start-up and parsing, so cases share builds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.contract import load_contract
from pipeline.ingest.raw_tables import ensure_schema
from pipeline.warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
YEAR = 2024

# ----------------------------------------------------------------------------------------
# The raw schema (the ingestion's DDL)
# ----------------------------------------------------------------------------------------

# table -> stored columns, from the ingestion's own contract, so these tests build exactly its raw tables.
CONTRACT = load_contract()
RAW_COLUMNS: dict[str, list[str]] = {
    t.name: [c.stored_name for c in t.stored_columns] for t in CONTRACT.tables.values()
}


def create_warehouse(path: Path, tables: dict[str, list[dict]], year: int = YEAR) -> None:
    """Create (or extend) `path` with every raw table and insert `tables`' rows.

    A row without a `year` gets `year`. Unknown tables or columns are an error, so a
    typo in a test cannot silently become a NULL.
    """
    unknown = set(tables) - set(RAW_COLUMNS)
    if unknown:
        raise ValueError(f"unknown raw tables: {sorted(unknown)}")
    with connect(path) as con:
        ensure_schema(con, CONTRACT)  # the raw tables and the audit tables the marts read
        for table, rows in tables.items():
            columns = RAW_COLUMNS[table]
            all_columns = ["year", *columns, "source_file", "source_row"]
            values = []
            for i, row in enumerate(rows, start=1):
                bad = set(row) - set(columns) - {"year"}
                if bad:
                    raise ValueError(f"{table}: unknown columns {sorted(bad)} in {row}")
                row_year = row.get("year", year)
                values.append([row_year, *(row.get(c) for c in columns), f"tests/{row_year}/{table}.csv", i])
            if values:
                placeholders = ", ".join("?" for _ in all_columns)
                con.executemany(f"INSERT INTO raw.{table} ({', '.join(all_columns)}) VALUES ({placeholders})", values)


# ----------------------------------------------------------------------------------------
# Running dbt
# ----------------------------------------------------------------------------------------


def run_dbt(workdir: Path, args: list[str], year: int | None = None, check: bool = True) -> dict:
    """Run the real dbt CLI on `workdir/warehouse.duckdb`; fail with dbt's own report.

    Returns run_results.json plus `returncode` and `output` (dbt's console output).
    """
    cmd = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    if year is not None:
        cmd += ["--vars", json.dumps({"year": year})]
    env = dict(os.environ)
    env.update(
        {
            "EQUITY_BUILD_DATABASE": str(workdir / "warehouse.duckdb"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DBT_USE_COLORS": "False",
            "DBT_VERSION_CHECK": "False",
        }
    )
    proc = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    results_path = workdir / "target" / "run_results.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["returncode"] = proc.returncode
    results["output"] = proc.stdout + proc.stderr
    if check and proc.returncode != 0:
        failing = [r for r in results.get("results", []) if r.get("status") not in ("success", "pass")]
        summary = "\n".join(f"  {r['unique_id']}: {r['status']}: {r.get('message')}" for r in failing)
        raise AssertionError(
            f"dbt {' '.join(args)} failed (rc={proc.returncode}):\n{summary}\n{proc.stdout[-3000:]}{proc.stderr[-2000:]}"
        )
    return results


def connect_read_only(workdir: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> dict:
    result = rows(con, sql, params)
    assert len(result) == 1, f"expected one row, got {len(result)}: {result}"
    return result[0]


# ----------------------------------------------------------------------------------------
# Small builders for census rows
# ----------------------------------------------------------------------------------------


def school(
    school_id: str,
    county: str,
    school_type: str,
    urban_rural: str | None = "111",
    built_year: int | None = 2018,
    ownership: str = "public",
) -> dict:
    return dict(
        school_id=school_id,
        school_name=f"School {school_id}",
        county_code=county,
        county_name=f"County {county}",
        school_type=school_type,
        urban_rural=urban_rural,
        ownership=ownership,
        built_year=built_year,
    )


def classes(school_id: str, stage: str, sizes: list[int]) -> list[dict]:
    first_grade = {"primary": 1, "junior": 7, "senior": 10}[stage]
    span = {"primary": 6, "junior": 3, "senior": 3}[stage]
    return [
        dict(school_id=school_id, class_id=f"{stage[0]}{i:03d}", stage=stage, grade=first_grade + i % span, students=n)
        for i, n in enumerate(sizes)
    ]


def teachers(school_id: str, stage: str, n: int, tag: str, **attrs) -> list[dict]:
    base = dict(
        education="bachelor",
        backbone_level="none",
        subject="chinese",
        has_certificate=True,
        training_hours_5y=400.0,
        rotation_eligible=False,
        rotated=False,
    )
    base.update(attrs)
    return [
        dict(teacher_id=f"{school_id}-{stage}-{tag}{i}", school_id=school_id, stage=stage, **base) for i in range(n)
    ]


def facility(
    school_id: str,
    stage: str,
    area: float | None,
    sports: float | None,
    equipment: float | None,
    multimedia: int | None,
) -> dict:
    return dict(
        school_id=school_id,
        stage=stage,
        teaching_aux_area_m2=area,
        sports_area_m2=sports,
        equipment_value_yuan=equipment,
        multimedia_classrooms=multimedia,
    )


def room(school_id: str, room_type: str, area: float, built_year: int | None = None) -> dict:
    return dict(school_id=school_id, room_type=room_type, area_m2=area, built_year=built_year)


def finance(school_id: str, budget: float | None, training: float | None) -> dict:
    return dict(school_id=school_id, public_funds_budget_yuan=budget, teacher_training_yuan=training)


def merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for part in parts:
        for table, table_rows in part.items():
            out.setdefault(table, []).extend(table_rows)
    return out


def good_primary_school(school_id: str, county: str, students_per_class: list[int], **school_attrs) -> dict:
    """A primary school whose unit meets every resource standard with margin.

    For N students: 6·N/100 bachelor teachers (R1 = 6 ≥ 4.2), 1.5·N/100 of them county backbone
    (R2 = 1.5 ≥ 1.0) and 1.5·N/100 PE teachers (R3 = 1.5 ≥ 0.9) when N is a multiple of 100;
    facilities 5 m² (R4 ≥ 4.5), 8 m² (R5 ≥ 7.5), 2500 yuan (R6 ≥ 2000) per student and
    2.5 multimedia rooms per 100 students (R7 ≥ 2.3).
    """
    n = sum(students_per_class)
    qualified = math.ceil(6 * n / 100)
    backbone = math.ceil(1.5 * n / 100)
    pe = math.ceil(1.5 * n / 100)
    return {
        "schools": [school(school_id, county, "211", **school_attrs)],
        "classes": classes(school_id, "primary", students_per_class),
        "teachers": teachers(school_id, "primary", backbone, "bb", backbone_level="county")
        + teachers(school_id, "primary", pe, "pe", subject="pe")
        + teachers(school_id, "primary", max(qualified - backbone - pe, 0), "t"),
        "facilities": [facility(school_id, "primary", 5.0 * n, 8.0 * n, 2500.0 * n, math.ceil(2.5 * n / 100))],
    }


def good_junior_school(school_id: str, county: str, students_per_class: list[int], **school_attrs) -> dict:
    """A junior school meeting every junior standard: R1 7, R2 2, R3 1.5 per 100 students;
    6 m², 11 m², 3000 yuan per student; 2.5 multimedia rooms per 100 students."""
    n = sum(students_per_class)
    qualified = math.ceil(7 * n / 100)
    backbone = math.ceil(2 * n / 100)
    pe = math.ceil(1.5 * n / 100)
    return {
        "schools": [school(school_id, county, "311", **school_attrs)],
        "classes": classes(school_id, "junior", students_per_class),
        "teachers": teachers(school_id, "junior", backbone, "bb", backbone_level="city")
        + teachers(school_id, "junior", pe, "pe", subject="art")
        + teachers(school_id, "junior", max(qualified - backbone - pe, 0), "t"),
        "facilities": [facility(school_id, "junior", 6.0 * n, 11.0 * n, 3000.0 * n, math.ceil(2.5 * n / 100))],
    }


# ----------------------------------------------------------------------------------------
# The main dataset (census year 2024). County by county: what each one is for.
# ----------------------------------------------------------------------------------------

COUNTY_MIXED = "530102"  # A: units, splits, pass rule, rooms (G3), county file partly given
COUNTY_SINGLE = "530103"  # B: one evaluated unit; no rooms, finance or county rows
COUNTY_CV = "530111"  # C: CV exactly at the limit, borderline, weighted vs unweighted
COUNTY_NONE = "530112"  # D: units but none evaluated (special school, small teaching points, 0 students)
COUNTY_NODATA_UNIT = "530113"  # I: everything met except one unit lacking R7 → resource no_data
COUNTY_SIZE = "530121"  # E: school-size limits 2000 / 2500
COUNTY_GOOD = "532301"  # G: every measurable indicator met, exactly at several thresholds
COUNTY_VETO = "532302"  # H: like G, plus a one-vote-veto item
COUNTY_CLASSES = "520102"  # F: class-size categories at 45/46/55/56/65/66 (another province)


def _county_mixed() -> dict:
    c = COUNTY_MIXED
    return merge(
        # A1: primary school built 2010 (old: rooms need 73 / 67 m²), 10 classes of 40 = 400 students.
        # 20 teachers: 5 county backbone, 5 PE, 10 others, all bachelor → R1 = 100·20/400 = 5.0,
        # R2 = R3 = 100·5/400 = 1.25; own primary facilities: R4 = 2000/400 = 5, R5 = 3200/400 = 8,
        # R6 = 1,000,000/400 = 2500, R7 = 100·10/400 = 2.5 → all met.
        # Rotation: 10 teachers eligible, 1 of them rotated (not a backbone teacher).
        # Training hours: one teacher's hours unknown (NULL).
        {
            "schools": [school("A1", c, "211", "111", built_year=2010)],
            "classes": classes("A1", "primary", [40] * 10),
            "teachers": teachers("A1", "primary", 5, "bb", backbone_level="county", rotation_eligible=True)
            + teachers("A1", "primary", 5, "pe", subject="pe")
            + teachers("A1", "primary", 1, "rot", rotation_eligible=True, rotated=True)
            + teachers("A1", "primary", 1, "nohours", training_hours_5y=None)
            + teachers("A1", "primary", 4, "elig", rotation_eligible=True)
            + teachers("A1", "primary", 4, "t"),
            "facilities": [facility("A1", "primary", 2000, 3200, 1_000_000, 10)],
            "rooms": [room("A1", "music", 80), room("A1", "art", 70)],
            "finance": [finance("A1", 100_000, 6_000)],
        },
        # A2: nine-year school (312), town, built 2018 (rooms need 96 / 90 m²): primary 5×40 = 200,
        # junior 2×50 = 100 students; one `all` facilities row split by weighted students:
        # 1.0·200 = 200 and 1.1·100 = 110 of 310 → primary 200/310, junior 110/310:
        # area 3100 → 2000 (R4 = 10) and 1100 (R4 = 11); sports 6200 → 4000 (R5 = 20) and 2200 (22);
        # equipment 1,550,000 → 1,000,000 (R6 = 5000) and 550,000 (5500); rooms 31 → 20 (R7 = 10) and 11 (11).
        # Teachers: primary 10 bachelor (2 backbone, 2 PE) → R1 5.0, R2 1.0, R3 1.0 (R2 exactly at its
        # standard: met); junior 6 bachelor (1 backbone, 1 art) → R1 6.0, R2 1.0, R3 1.0.
        # Music room 80 m² < 96 → G3 not met for A2. Training 4,000 of 100,000 = 4 % < 5 % → Q4 fails.
        {
            "schools": [school("A2", c, "312", "121", built_year=2018)],
            "classes": classes("A2", "primary", [40] * 5) + classes("A2", "junior", [50] * 2),
            "teachers": teachers("A2", "primary", 2, "bb", backbone_level="province")
            + teachers("A2", "primary", 2, "pe", subject="pe")
            + teachers("A2", "primary", 6, "t")
            + teachers("A2", "junior", 1, "bb", backbone_level="national")
            + teachers("A2", "junior", 1, "art", subject="art")
            + teachers("A2", "junior", 4, "t"),
            "facilities": [facility("A2", "all", 3100, 6200, 1_550_000, 31)],
            "rooms": [room("A2", "music", 80), room("A2", "art", 100)],
            "finance": [finance("A2", 100_000, 4_000)],
        },
        # A3: complete secondary school (341), junior 2×50 = 100 and senior 2×50 = 100 students;
        # `all` row split with senior weight 1.32: junior 1.1·100 = 110, senior 1.32·100 = 132, of 242:
        # area 2420 → junior 1100 (R4 = 11), senior 1320; sports 4840 → 2200 (R5 = 22);
        # equipment 605,000 → 275,000 (R6 = 2750); rooms 22 → 10 (R7 = 10).
        # Junior teachers: 6 bachelor (1 backbone, 1 PE) + 1 associate, which does not count for a
        # junior unit → R1 = 100·6/100 = 6.0. Five senior teachers belong to no unit.
        # Finance row without the training figure → Q4 unknown for A3.
        {
            "schools": [school("A3", c, "341", "112", built_year=2000)],
            "classes": classes("A3", "junior", [50, 50]) + classes("A3", "senior", [50, 50]),
            "teachers": teachers("A3", "junior", 1, "bb", backbone_level="city")
            + teachers("A3", "junior", 1, "pe", subject="pe")
            + teachers("A3", "junior", 4, "t")
            + teachers("A3", "junior", 1, "assoc", education="associate")
            + teachers("A3", "senior", 5, "t"),
            "facilities": [facility("A3", "all", 2420, 4840, 605_000, 22)],
            "rooms": [room("A3", "music", 100), room("A3", "art", 100)],
            "finance": [finance("A3", 100_000, None)],
        },
        # A4: teaching point (218) with exactly 50 students (2×25): evaluated (not "under 50").
        # Rural (220), largest class 25 < 30 → rural small school: rooms need 54 m² (primary only);
        # music 55 and art 55 are adequate. 3 associate teachers (associate counts for primary):
        # R1 = 100·3/50 = 6.0; 1 of them county backbone (R2 2.0), 1 music (R3 2.0).
        {
            "schools": [school("A4", c, "218", "220", built_year=2019)],
            "classes": classes("A4", "primary", [25, 25]),
            "teachers": teachers("A4", "primary", 1, "bb", education="associate", backbone_level="county")
            + teachers("A4", "primary", 1, "mu", education="associate", subject="music")
            + teachers("A4", "primary", 1, "t", education="associate"),
            "facilities": [facility("A4", "primary", 250, 400, 125_000, 2)],
            "rooms": [room("A4", "music", 55), room("A4", "art", 55)],
            "finance": [finance("A4", 20_000, 1_000)],
        },
        # A5: 100 students (45, 45, 10), everything met but the multimedia count is missing:
        # 6 met + R7 no_data → does not pass (min_ratio null, pass_status no_data).
        # Teachers 6 bachelor (2 backbone, 1 PE): R1 6, R2 2, R3 1.
        {
            "schools": [school("A5", c, "211", "111", built_year=2020)],
            "classes": classes("A5", "primary", [45, 45, 10]),
            "teachers": teachers("A5", "primary", 2, "bb", backbone_level="county")
            + teachers("A5", "primary", 1, "pe", subject="pe")
            + teachers("A5", "primary", 3, "t"),
            "facilities": [facility("A5", "primary", 500, 800, 250_000, None)],
            "rooms": [room("A5", "music", 100), room("A5", "art", 100)],
            "finance": [finance("A5", 100_000, 5_000)],
        },
        # A6: like A5 with R7 = 3 and equipment 180,000 / 100 = 1800 yuan: R6 not met at
        # 1800/2000 = 90 % ≥ 85 % → 6 met + 1 at 90 % → passes, min_ratio 0.9.
        {
            "schools": [school("A6", c, "211", "111", built_year=2020)],
            "classes": classes("A6", "primary", [45, 45, 10]),
            "teachers": teachers("A6", "primary", 2, "bb", backbone_level="county")
            + teachers("A6", "primary", 1, "pe", subject="pe")
            + teachers("A6", "primary", 3, "t"),
            "facilities": [facility("A6", "primary", 500, 800, 180_000, 3)],
            "rooms": [room("A6", "music", 100), room("A6", "art", 100)],
            "finance": [finance("A6", 100_000, 5_000)],
        },
        # A7: classes of 46 and 44: the 46-student class is over the primary standard (45) by 1.
        # One teacher without a certificate value (NULL).
        {
            "schools": [school("A7", c, "211", "111", built_year=2020)],
            "classes": classes("A7", "primary", [46, 44]),
            "teachers": teachers("A7", "primary", 1, "bb", backbone_level="county")
            + teachers("A7", "primary", 1, "pe", subject="pe")
            + teachers("A7", "primary", 2, "t")
            + teachers("A7", "primary", 1, "nocert", has_certificate=None),
            "facilities": [facility("A7", "primary", 450, 720, 225_000, 3)],
            "rooms": [room("A7", "music", 100), room("A7", "art", 100)],
            "finance": [finance("A7", 100_000, 5_000)],
        },
        # A8: rural (210) nine-year school, primary 3×20, junior 2×25: largest class 25 < 30 →
        # rural small school with a junior unit → rooms need 61 m²: music 60 is not adequate,
        # art 62 is → G3 not met. Own stage rows: primary R4 300/60 = 5, junior 300/50 = 6.
        {
            "schools": [school("A8", c, "312", "210", built_year=2018)],
            "classes": classes("A8", "primary", [20, 20, 20]) + classes("A8", "junior", [25, 25]),
            "teachers": teachers("A8", "primary", 1, "bb", backbone_level="county")
            + teachers("A8", "primary", 1, "pe", subject="pe")
            + teachers("A8", "primary", 1, "t")
            + teachers("A8", "junior", 1, "bb", backbone_level="county")
            + teachers("A8", "junior", 1, "pe", subject="pe")
            + teachers("A8", "junior", 1, "t"),
            "facilities": [
                facility("A8", "primary", 300, 480, 150_000, 2),
                facility("A8", "junior", 300, 550, 150_000, 2),
            ],
            "rooms": [room("A8", "music", 60), room("A8", "art", 62)],
            "finance": [finance("A8", 100_000, 5_000)],
        },
        # A9: 13 classes of 40 = 520 students → ceil(13/12) = 2 rooms of each type needed;
        # 2 music rooms but 1 art room → G3 not met. One teacher with 100 training hours (< 360).
        # Teachers: 26 bachelor (6 backbone, 5 PE) → R1 = 5.0, R2 = 600/520, R3 = 500/520 = 0.96.
        {
            "schools": [school("A9", c, "211", "111", built_year=2020)],
            "classes": classes("A9", "primary", [40] * 13),
            "teachers": teachers("A9", "primary", 6, "bb", backbone_level="county")
            + teachers("A9", "primary", 5, "pe", subject="pe")
            + teachers("A9", "primary", 1, "lowhours", training_hours_5y=100.0)
            + teachers("A9", "primary", 14, "t"),
            "facilities": [facility("A9", "primary", 2600, 4160, 1_300_000, 13)],
            "rooms": [room("A9", "music", 100), room("A9", "music", 100), room("A9", "art", 100)],
            "finance": [finance("A9", 100_000, 5_000)],
        },
        # The county row is partly given (see test_county_file_indicators_partly_given).
        {
            "county": [
                dict(
                    county_code=c,
                    teacher_avg_salary_yuan=90_000,
                    civil_servant_avg_salary_yuan=None,
                    special_ed_funding_per_student_yuan=7_000,
                    small_school_funded_as_100=False,
                    nearby_enrollment_primary_pct=100,
                    nearby_enrollment_junior_pct=94,
                    quota_total=0,
                    quota_allocated=0,
                    migrant_eligible=100,
                    migrant_in_public=90,
                    junior_graduates=900,
                    junior_cohort_initial=1000,
                    junior_transfer_in=None,
                    junior_transfer_out=None,
                    junior_deaths=None,
                    disabled_children_total=50,
                    disabled_children_enrolled=47,
                    survey_valid=200,
                    survey_satisfied=170,
                    quality_composite=0.6,
                    quality_between_school_cv=0.2,
                    veto_flags="",
                )
            ]
        },
    )


def _county_single() -> dict:
    # B1: the county's only school; 7 classes (6×45 + 30) = 300 students. No rooms, finance or
    # county rows at all: G3, Q4 and every county-file indicator are no_data.
    return good_primary_school("B1", COUNTY_SINGLE, [45] * 6 + [30])


def _county_cv() -> dict:
    c = COUNTY_CV

    def primary_teachers(sid):
        return (
            teachers(sid, "primary", 2, "bb", backbone_level="county")  # noqa: E731
            + teachers(sid, "primary", 1, "pe", subject="pe")
            + teachers(sid, "primary", 3, "t")
        )

    def junior_teachers(sid, k):
        return (
            teachers(sid, "junior", 2 * k, "bb", backbone_level="county")  # noqa: E731
            + teachers(sid, "junior", k, "pe", subject="pe")
            + teachers(sid, "junior", 4 * k, "t")
        )

    return {
        # Primary: two schools of 100 students with the same teachers (R1 6, R2 2, R3 1),
        # sports (R5 8) and multimedia rooms (R7 3), so those CVs are 0; they differ in
        #   R4: 500/100 = 5 and 1500/100 = 15 → mean 10, sd 5, CV = 0.5 = the primary limit → met;
        #   R6: 499,600/100 = 4996 and 1,500,400/100 = 15004 → mean 10000, sd 5004, CV 0.5004 > 0.50
        #       → not_met; both are within 0.0005 of the limit → 'borderline'.
        # Junior: C3 100 students, C4 400 students; R6 2500 and 10000 yuan:
        #   weighted mean (100·2500 + 400·10000)/500 = 8500,
        #   sd = sqrt((100·6000² + 400·1500²)/500) = sqrt(9,000,000) = 3000, CV = 3000/8500 = 0.352941… → met;
        #   unweighted: mean 6250, sd 3750, CV 0.6 (beside it; it would fail).
        "schools": [school(s, c, t) for s, t in (("C1", "211"), ("C2", "211"), ("C3", "311"), ("C4", "311"))],
        "classes": classes("C1", "primary", [40, 40, 20])
        + classes("C2", "primary", [40, 40, 20])
        + classes("C3", "junior", [50, 50])
        + classes("C4", "junior", [50] * 8),
        "teachers": primary_teachers("C1")
        + primary_teachers("C2")
        + junior_teachers("C3", 1)
        + junior_teachers("C4", 4),
        "facilities": [
            facility("C1", "primary", 500, 800, 499_600, 3),
            facility("C2", "primary", 1500, 800, 1_500_400, 3),
            facility("C3", "junior", 600, 1100, 250_000, 3),
            facility("C4", "junior", 2400, 4400, 4_000_000, 12),
        ],
    }


def _county_none() -> dict:
    c = COUNTY_NONE
    return {
        # D1: special-education school (513) with primary classes 8 + 7 = 15 and a junior class of 10:
        #     two units, both special_education, values still computed: 3 bachelor primary teachers →
        #     R1 = 100·3/15 = 20.0; `all` row 300 m² split 1.0·15 = 15 vs 1.1·10 = 11 → primary
        #     300·15/26 m², R4 = 300/26 = 11.538…
        # D2: teaching point with 30 students → teaching_point_under_50; own row 150 m² → R4 = 5.0 (met).
        # D3: teaching point without classes → teaching_point_under_50 (the first reason that applies).
        # D4: primary school without classes → no_students; its values are null / no_data.
        "schools": [
            school("D1", c, "513"),
            school("D2", c, "218", "220"),
            school("D3", c, "218", "220"),
            school("D4", c, "211"),
        ],
        "classes": classes("D1", "primary", [8, 7])
        + classes("D1", "junior", [10])
        + classes("D2", "primary", [15, 15]),
        "teachers": teachers("D1", "primary", 3, "t"),
        "facilities": [
            facility("D1", "all", 300, 600, 100_000, 2),
            facility("D2", "primary", 150, 240, 60_000, 1),
            facility("D4", "primary", 500, 800, 250_000, 3),
        ],
    }


def _county_nodata_unit() -> dict:
    # I1 meets everything (R7 = 3); I2 is identical but its multimedia count is missing → 6 met +
    # 1 no_data: the county's only fault is a lack of data → resource no_data, not not_met.
    c = COUNTY_NODATA_UNIT
    out = merge(good_primary_school("I1", c, [50, 50]), good_primary_school("I2", c, [50, 50]))
    for row in out["facilities"]:
        row["multimedia_classrooms"] = 3 if row["school_id"] == "I1" else None
    # (classes of 50 exceed the primary standard, so G5 fails here; only the resource area matters)
    return out


def _county_size() -> dict:
    c = COUNTY_SIZE
    return {
        # E1 primary 44×45 + 21 = 2001 > 2000 → excess 1;  E2 primary 44×45 + 20 = 2000 → within.
        # E3 nine-year: 30×45 + 23×50 = 1350 + 1150 = 2500 → within 2500.
        # E4 twelve-year: primary 30×45 + 1 = 1351, junior 23×50 = 1150 → 2501 > 2500 → excess 1
        #    (its 10 senior classes of 50 do not count).
        # E5 complete secondary: junior 40×50 + 1 = 2001 > 2000 → excess 1 (senior 1000 not counted).
        # E6 special school with 47×45 = 2115 students: not classed.
        "schools": [
            school("E1", c, "211"),
            school("E2", c, "211"),
            school("E3", c, "312"),
            school("E4", c, "345"),
            school("E5", c, "341"),
            school("E6", c, "511"),
        ],
        "classes": classes("E1", "primary", [45] * 44 + [21])
        + classes("E2", "primary", [45] * 44 + [20])
        + classes("E3", "primary", [45] * 30)
        + classes("E3", "junior", [50] * 23)
        + classes("E4", "primary", [45] * 30 + [1])
        + classes("E4", "junior", [50] * 23)
        + classes("E4", "senior", [50] * 10)
        + classes("E5", "junior", [50] * 40 + [1])
        + classes("E5", "senior", [50] * 20)
        + classes("E6", "primary", [45] * 47),
    }


def _county_good(county: str, prefix: str, veto: str | None) -> dict:
    # G1 primary 400 students (10×40), G2 junior 300 students (6×50), both meeting every standard;
    # one unit per stage → every CV is 0. Rooms 100 m² (1 of each needed). Finance exactly 5 %.
    # Teachers: all certified, 400 hours; 20 of G1's teachers eligible for rotation, 2 rotated
    # (2/20 = 10 % exactly), one of them a backbone teacher (1/2 = 50 % ≥ 20 %).
    # County row: every figure exactly at its standard (met): salary ratio 1.0, 6000 yuan,
    # nearby enrolment 100 % / 95 %, quota 50 %, migrants 85 %, retention 950/(1000+10−10−0) = 95 %,
    # disabled enrolment 95 %, quality 0.5 with CV 0.15, satisfaction 85 %.
    s1, s2 = f"{prefix}1", f"{prefix}2"
    out = merge(good_primary_school(s1, county, [40] * 10), good_junior_school(s2, county, [50] * 6))
    out["schools"][1]["urban_rural"] = "121"
    g1_teachers = [t for t in out["teachers"] if t["school_id"] == s1]
    for _i, t in enumerate(g1_teachers[:20]):
        t["rotation_eligible"] = True
    g1_teachers[0]["rotated"] = True  # a county backbone teacher (the first "bb" teacher)
    g1_teachers[-1]["rotated"] = True  # an ordinary teacher
    assert g1_teachers[0]["backbone_level"] == "county" and g1_teachers[-1]["backbone_level"] == "none"
    g1_teachers[-1]["rotation_eligible"] = True
    g1_teachers[19]["rotation_eligible"] = False  # keep exactly 20 eligible
    out["rooms"] = [room(s, t, 100) for s in (s1, s2) for t in ("music", "art")]
    out["finance"] = [finance(s1, 100_000, 5_000), finance(s2, 200_000, 10_000)]
    out["county"] = [
        dict(
            county_code=county,
            teacher_avg_salary_yuan=100_000,
            civil_servant_avg_salary_yuan=100_000,
            special_ed_funding_per_student_yuan=6_000,
            small_school_funded_as_100=True,
            nearby_enrollment_primary_pct=100,
            nearby_enrollment_junior_pct=95,
            quota_total=1_000,
            quota_allocated=500,
            migrant_eligible=100,
            migrant_in_public=85,
            junior_graduates=950,
            junior_cohort_initial=1_000,
            junior_transfer_in=10,
            junior_transfer_out=10,
            junior_deaths=0,
            disabled_children_total=100,
            disabled_children_enrolled=95,
            survey_valid=100,
            survey_satisfied=85,
            quality_composite=0.5,
            quality_between_school_cv=0.15,
            veto_flags=veto,
        )
    ]
    return out


def _county_classes() -> dict:
    # F1 nine-year school in province 52: primary classes 45 (within), 46 and 55 (over_standard),
    # 56 and 65 (large), 66 (super_large); junior classes 50 (within), 51 and 55 (over_standard),
    # 56 and 65 (large), 66 (super_large).
    c = COUNTY_CLASSES
    return {
        "schools": [school("F1", c, "312")],
        "classes": classes("F1", "primary", [45, 46, 55, 56, 65, 66])
        + classes("F1", "junior", [50, 51, 55, 56, 65, 66]),
    }


MAIN_TABLES = merge(
    _county_mixed(),
    _county_single(),
    _county_cv(),
    _county_none(),
    _county_nodata_unit(),
    _county_size(),
    _county_good(COUNTY_GOOD, "G", None),
    _county_good(COUNTY_VETO, "H", "发生重大安全责任事故"),
    _county_classes(),
)


# ----------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------

# The main build takes ~15 s. When a session needs it, it starts in a background thread as soon
# as the tests are collected, and the tests that build their own warehouse run first, so the
# builds overlap (dbt runs as a subprocess).
_BACKGROUND: dict = {}


def _build_main(workdir: Path) -> Path:
    create_warehouse(workdir / "warehouse.duckdb", MAIN_TABLES)
    results = run_dbt(workdir, ["build"])
    statuses = {r["status"] for r in results["results"]}
    assert statuses <= {"success", "pass"}, statuses
    return workdir


def _uses_main(item) -> bool:
    return "main_warehouse" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)  # after -k / -m deselection
def pytest_collection_modifyitems(session, config, items):
    if not any(_uses_main(item) for item in items):
        return
    items.sort(key=_uses_main)  # stable: every other test keeps its order, before these
    workdir = Path(tempfile.mkdtemp(prefix="equity-dbt-main-"))
    executor = ThreadPoolExecutor(max_workers=1)
    _BACKGROUND.update(workdir=workdir, executor=executor, future=executor.submit(_build_main, workdir))


def pytest_sessionfinish(session, exitstatus):
    if _BACKGROUND:
        _BACKGROUND["executor"].shutdown(wait=True)
        shutil.rmtree(_BACKGROUND["workdir"], ignore_errors=True)


@pytest.fixture(scope="session")
def main_warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """The main dataset, built once with `dbt build` (seeds, models, data tests, unit tests)."""
    if _BACKGROUND:
        workdir = _BACKGROUND["future"].result()
    else:
        workdir = _build_main(tmp_path_factory.mktemp("main"))
    con = connect_read_only(workdir)
    yield con
    con.close()


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path
