"""Loading a year again replaces it exactly; a failure midway leaves the previous load."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.ingest.contract import load_contract
from pipeline.ingest.raw_tables import replace_year
from tests.census_files import write_delimited

CLASSES = [
    ["school_id", "class_id", "stage", "students"],
    ["0001", "1", "primary", "40"],
    ["0001", "1", "primary", "40"],
    ["0002", "1", "junior", "x"],
]


def _snapshot(con) -> dict[str, list[tuple]]:
    return {
        "schools": con.execute("SELECT * EXCLUDE (extra) FROM raw.schools ORDER BY ALL").fetchall(),
        "classes": con.execute("SELECT * EXCLUDE (extra) FROM raw.classes ORDER BY ALL").fetchall(),
        "rejected": con.execute("SELECT * EXCLUDE (run_id) FROM audit.rejected_rows ORDER BY ALL").fetchall(),
    }


def test_running_twice_gives_the_same_tables(raw_dir, ingest, tmp_path):
    write_delimited(raw_dir / "2024" / "classes.csv", CLASSES)
    _, con = ingest(raw_dir)
    first = _snapshot(con)
    con.close()
    _, con = ingest(raw_dir)
    assert _snapshot(con) == first
    assert first["classes"] and first["rejected"]
    assert con.execute("SELECT count(*), count(DISTINCT run_id) FROM audit.loads").fetchone() == (
        4,
        2,
    )  # loads keep history


def test_other_years_are_left_alone(raw_dir, ingest):
    write_delimited(
        raw_dir / "2023" / "schools.csv",
        [["school_id", "school_name", "county_code", "school_type"], ["0001", "Old", "539901", "211"]],
    )
    ingest(raw_dir, year=2023)[1].close()
    _, con = ingest(raw_dir, year=2024)
    assert con.execute("SELECT year, count(*) FROM raw.schools GROUP BY year ORDER BY year").fetchall() == [
        (2023, 1),
        (2024, 3),
    ]


def test_a_failure_midway_keeps_the_previous_load(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes.csv", CLASSES)
    _, con = ingest(raw_dir)
    before = _snapshot(con)
    # The schools are deleted and re-inserted first; then the classes insert fails inside the same transaction.
    broken = {
        "schools": pl.DataFrame({"year": [2024], "school_id": ["X"], "source_file": ["f"], "source_row": [1]}),
        "classes": pl.DataFrame({"no_such_column": [1]}),
    }
    empty = pl.DataFrame()
    with pytest.raises(Exception, match="no_such_column"):
        replace_year(con, load_contract(), 2024, broken, empty, empty)
    assert _snapshot(con) == before
