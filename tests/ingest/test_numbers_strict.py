"""Numbers that could be read two ways are rejected, not guessed (issue 18 item 9).

A comma is a thousands separator only in the exact form 1,234 or 12,345,678.5; a bare value between 0 and 1
in a percentage column could be a fraction or a percent, so it is rejected unless it carries its % sign.
"""

from __future__ import annotations

from tests.census_files import write_delimited
from tests.ingest.conftest import load_row, rejected

CLASS_HEADER = ["school_id", "class_id", "stage", "grade", "students"]


def _ambiguous(value: str) -> str:
    return f"含糊的数字 '{value}'（逗号只可作千位分隔符，如 1,234） / ambiguous number '{value}' (a comma is accepted only as a thousands separator, as in 1,234)"


def test_a_comma_is_only_a_thousands_separator(raw_dir, ingest):
    students = ["1,2,3", "4,5", "1,234", "12,345", "1,2345", ",123", "1,234,567", "１，２３４"]
    rows = [CLASS_HEADER] + [["0001", str(i), "primary", "1", s] for i, s in enumerate(students)]
    write_delimited(raw_dir / "2024" / "classes.csv", rows)
    _, con = ingest(raw_dir)
    loaded = con.execute("SELECT class_id, students FROM raw.classes ORDER BY source_row").fetchall()
    assert loaded == [("2", 1234), ("3", 12345), ("6", 1234567), ("7", 1234)]
    problems = rejected(con, "classes")
    assert [(row, column, value) for _, row, column, value, _ in problems] == [
        (2, "students", "1,2,3"),
        (3, "students", "4,5"),
        (6, "students", "1,2345"),
        (7, "students", ",123"),
    ]
    assert [reason for *_, reason in problems] == [_ambiguous(v) for v in ("1,2,3", "4,5", "1,2345", ",123")]


def test_a_decimal_comma_is_ambiguous_and_a_thousands_comma_with_decimals_is_not(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "facilities.csv",
        [
            ["school_id", "stage", "teaching_aux_area_m2", "sports_area_m2"],
            ["0001", "all", "1.234,5", "700"],
            ["0002", "all", "1,234.5", "-1,000"],
            ["0003", "all", "1,234.50", "1,000.25"],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT school_id, teaching_aux_area_m2, sports_area_m2 FROM raw.facilities").fetchall() == [
        ("0003", 1234.5, 1000.25)
    ]
    problems = {(row, column): (value, reason) for _, row, column, value, reason in rejected(con, "facilities")}
    assert problems[(2, "teaching_aux_area_m2")] == ("1.234,5", _ambiguous("1.234,5"))
    assert problems[(3, "sports_area_m2")] == ("-1,000", "a negative amount")
    assert load_row(con, "2024/facilities.csv")["rows_rejected"] == 2


def test_a_bare_fraction_in_a_percentage_column_is_ambiguous(raw_dir, ingest):
    header = ["county_code", "nearby_enrollment_primary_pct", "nearby_enrollment_junior_pct"]
    rows = [
        header,
        ["539901", "97", "95.5%"],
        ["539902", "0.97", "96"],  # 0.97 % or 97 %?
        ["539903", "0.97%", "0"],  # with its sign: 0.97 %; 0 is 0 either way
        ["539904", "1", "100"],  # 1 % or 100 %?
        ["539905", "100%", "1%"],
        ["539906", "97，5", "0,97"],
    ]
    write_delimited(raw_dir / "2024" / "county.csv", rows)
    _, con = ingest(raw_dir)
    assert con.execute(
        "SELECT county_code, nearby_enrollment_primary_pct, nearby_enrollment_junior_pct FROM raw.county ORDER BY 1"
    ).fetchall() == [("539901", 97.0, 95.5), ("539903", 0.97, 0.0), ("539905", 100.0, 1.0)]
    problems = {(row, column): (value, reason) for _, row, column, value, reason in rejected(con, "county")}
    assert problems[(3, "nearby_enrollment_primary_pct")] == (
        "0.97",
        "含糊的百分比 '0.97'：是比例（97%）还是百分数（0.97%）？请带上百分号，写成 97% 或 0.97% "
        "/ ambiguous percentage '0.97': a fraction (97%) or a percent (0.97%)? write it with its sign, 97% or 0.97%",
    )
    assert problems[(5, "nearby_enrollment_primary_pct")][1].startswith("含糊的百分比 '1'")
    assert problems[(7, "nearby_enrollment_primary_pct")][1].startswith("含糊的数字")
    assert problems[(7, "nearby_enrollment_junior_pct")][1].startswith("含糊的数字 '0,97'")
