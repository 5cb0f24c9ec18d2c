"""A row of a school that is not loaded is rejected as an orphan in every table, whatever made the school missing."""

from __future__ import annotations

import pytest

from tests.census_files import SCHOOLS, write_delimited
from tests.ingest.conftest import load_row, rejected

ORPHAN = "0530099999"
# One row of each table that names a school, the school being ORPHAN.
ROWS_OF = {
    "classes": [["school_id", "class_id", "stage", "grade", "students"], [ORPHAN, "1", "primary", "1", "40"]],
    "teachers": [["teacher_id", "school_id", "stage", "education"], ["T1", ORPHAN, "primary", "bachelor"]],
    "facilities": [
        [
            "school_id",
            "stage",
            "teaching_aux_area_m2",
            "sports_area_m2",
            "equipment_value_yuan",
            "multimedia_classrooms",
        ],
        [ORPHAN, "all", "400", "700", "100000", "2"],
    ],
    "rooms": [["school_id", "room_type", "area_m2", "built_year"], [ORPHAN, "音乐教室", "80.0", "2020"]],
    "finance": [["school_id", "public_funds_budget_yuan", "teacher_training_yuan"], [ORPHAN, "100000", "5000"]],
}


@pytest.mark.parametrize("table", sorted(ROWS_OF))
def test_an_orphan_row_in_each_table_is_rejected(raw_dir, ingest, table):
    write_delimited(raw_dir / "2024" / f"{table}.csv", ROWS_OF[table])
    _, con = ingest(raw_dir)
    assert rejected(con, table) == [
        (f"2024/{table}.csv", 2, "school_id", ORPHAN, f"school_id {ORPHAN} is not among this year's loaded schools")
    ]
    audit = load_row(con, f"2024/{table}.csv")
    assert (audit["rows_read"], audit["rows_loaded"], audit["rows_rejected"]) == (1, 0, 1)


def _write_optional_tables(raw_dir, school_id: str) -> None:
    for table in ("rooms", "finance"):
        header, row = ROWS_OF[table]
        write_delimited(raw_dir / "2024" / f"{table}.csv", [header, [school_id, *row[1:]]])


def test_a_school_rejected_for_an_unknown_type_orphans_its_rooms_and_finance(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "schools.csv", [*SCHOOLS, ["0004", "Special", "539901", "其他特教学校", "111"]])
    _write_optional_tables(raw_dir, "0004")
    _, con = ingest(raw_dir)
    assert [(f, r, c) for f, r, c, _, _ in rejected(con)] == [
        ("2024/finance.csv", 2, "school_id"),
        ("2024/rooms.csv", 2, "school_id"),
        ("2024/schools.csv", 5, "school_type"),
    ]


def test_a_school_in_two_counties_is_rejected_and_orphans_its_rooms_and_finance(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "schools.csv", [*SCHOOLS, ["0001", "First Primary", "539902", "211", "111"]])
    _write_optional_tables(raw_dir, "0001")
    _, con = ingest(raw_dir)
    assert [(f, r) for f, r, _, _, _ in rejected(con)] == [
        ("2024/finance.csv", 2),
        ("2024/rooms.csv", 2),
        ("2024/schools.csv", 2),
        ("2024/schools.csv", 5),
    ]


def test_a_refused_schools_file_orphans_every_row_without_crashing(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "schools.csv", [["school_name", "county_code"], ["No id", "539901"]])
    _write_optional_tables(raw_dir, "0001")
    load, con = ingest(raw_dir)
    assert [f.relpath for f in load.refused] == ["2024/schools.csv"]
    assert [(f, c) for f, _, c, _, _ in rejected(con)] == [
        ("2024/finance.csv", "school_id"),
        ("2024/rooms.csv", "school_id"),
    ]


def test_a_year_without_a_schools_file_orphans_every_row_without_crashing(raw_dir, ingest):
    (raw_dir / "2024" / "schools.csv").unlink()
    _write_optional_tables(raw_dir, "0001")
    write_delimited(raw_dir / "2024" / "classes.csv", ROWS_OF["classes"])
    _, con = ingest(raw_dir)
    assert sorted(f for f, _, _, _, _ in rejected(con)) == ["2024/classes.csv", "2024/finance.csv", "2024/rooms.csv"]
