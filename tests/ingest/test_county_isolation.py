"""A refused file holds back the counties it belongs to: they keep the last good load's rows, the others load."""

from __future__ import annotations

from pathlib import Path

from tests.census_files import write_delimited
from tests.ingest.conftest import load_row

SCHOOLS = [
    ["school_id", "school_name", "county_code", "school_type"],
    ["0001", "A Primary", "539901", "211"],
    ["0002", "B Primary", "539902", "211"],
]
CLASS_HEADER = ["school_id", "class_id", "stage", "grade", "students"]


def _write_year(raw: Path, students: int) -> None:
    write_delimited(raw / "2024" / "schools.csv", SCHOOLS)
    write_delimited(raw / "2024" / "classes_539901.csv", [CLASS_HEADER, ["0001", "1", "primary", "1", str(students)]])
    write_delimited(raw / "2024" / "classes_539902.csv", [CLASS_HEADER, ["0002", "1", "primary", "1", str(students)]])


def _classes(con) -> list[tuple]:
    return con.execute("SELECT school_id, students, source_file FROM raw.classes ORDER BY 1").fetchall()


def test_an_unreadable_county_file_keeps_that_county_on_its_last_good_rows(tmp_path, ingest):
    raw, warehouse = tmp_path / "raw", tmp_path / "w.duckdb"
    _write_year(raw, 40)
    first, con = ingest(raw, warehouse=warehouse)
    assert first.blocked_counties == {}
    con.close()
    _write_year(raw, 30)
    (raw / "2024" / "classes_539902.csv").write_bytes(b"school_id,class_id,stage,grade,students\n0002,1,\xff\xfe\xfa\n")
    second, con = ingest(raw, warehouse=warehouse)
    assert [f.relpath for f in second.refused] == ["2024/classes_539902.csv"]
    assert list(second.blocked_counties) == ["539902"]
    assert _classes(con) == [("0001", 30, "2024/classes_539901.csv"), ("0002", 40, "2024/classes_539902.csv")]
    blocked = con.execute("SELECT county_code, reason, reason_zh, data_as_of FROM audit.blocked_counties").fetchall()
    assert len(blocked) == 1
    county, reason, reason_zh, data_as_of = blocked[0]
    assert (
        county == "539902"
        and "2024/classes_539902.csv" in reason
        and reason_zh.startswith("文件 2024/classes_539902.csv 被拒收")
    )
    assert data_as_of is None  # the first load was never published: there is no good load to date the rows by
    assert "1 rows belong to held-back counties (539902)" in load_row(con, "2024/schools.csv")["notes"]


def test_a_county_without_a_good_load_keeps_no_rows(tmp_path, ingest):
    raw = tmp_path / "raw"
    _write_year(raw, 40)
    write_delimited(raw / "2024" / "classes_539902.csv", [["school_id", "class_id", "students"], ["0002", "1", "40"]])
    load, con = ingest(raw)
    assert list(load.blocked_counties) == ["539902"]  # the refused file's rows name school 0002, of county 539902
    assert _classes(con) == [("0001", 40, "2024/classes_539901.csv")]
    assert con.execute("SELECT school_id FROM raw.schools").fetchall() == [("0001",)]


def test_a_refused_file_of_no_county_holds_back_the_year(tmp_path, ingest):
    raw = tmp_path / "raw"
    _write_year(raw, 40)
    (raw / "2024" / "classes.csv").write_bytes(b"\xff\xfe\xfa\x00")
    load, con = ingest(raw)
    assert load.blocked_counties == {} and [f.relpath for f in load.attribution.whole_year] == ["2024/classes.csv"]
    assert con.execute("SELECT count(*) FROM audit.blocked_counties").fetchone() == (0,)


def test_a_file_in_a_sub_folder_is_refused_and_holds_back_nothing(tmp_path, ingest):
    raw = tmp_path / "raw"
    _write_year(raw, 40)
    write_delimited(raw / "2024" / "备份" / "classes.csv", [CLASS_HEADER, ["0001", "9", "primary", "1", "30"]])
    load, con = ingest(raw)
    assert [f.relpath for f in load.refused] == ["2024/备份/classes.csv"]
    assert load.attribution.whole_year == [] and load.blocked_counties == {}
    assert [s for s, _, _ in _classes(con)] == ["0001", "0002"]


def test_every_row_of_a_refused_file_is_counted_rejected(tmp_path, ingest):
    raw = tmp_path / "raw"
    _write_year(raw, 40)
    write_delimited(
        raw / "2024" / "classes_539902.csv",
        [["school_id", "class_id", "students"], ["0002", "1", "40"], ["0002", "2", "41"]],
    )
    _, con = ingest(raw)
    audit = load_row(con, "2024/classes_539902.csv")
    assert (audit["status"], audit["rows_read"], audit["rows_loaded"], audit["rows_rejected"]) == ("refused", 2, 0, 2)
