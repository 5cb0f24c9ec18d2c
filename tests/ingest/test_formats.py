"""Each format and encoding of the contract loads the same rows, with the row numbers a person sees."""

from __future__ import annotations

import openpyxl
import polars as pl

from tests.census_files import SCHOOLS, write_delimited
from tests.ingest.conftest import load_row

CHINESE_CLASSES = [
    ["学校标识码", "班级编号", "学段", "年级", "班级人数"],
    ["0001", "101", "小学", "1", "40"],
    ["0002", "701", "初中", "7", "52"],
    ["0003", "102", "小学", "2", "38"],
]


def _classes(con) -> list[tuple]:
    return con.execute(
        "SELECT school_id, class_id, stage, grade, students FROM raw.classes ORDER BY school_id, class_id"
    ).fetchall()


EXPECTED_CLASSES = [
    ("0001", "101", "primary", 1, 40),
    ("0002", "701", "junior", 7, 52),
    ("0003", "102", "primary", 2, 38),
]


def test_gb18030_csv_with_chinese_headers(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes_539901.csv", CHINESE_CLASSES, encoding="gb18030")
    load, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES
    audit = load_row(con, "2024/classes_539901.csv")
    assert (audit["encoding"], audit["format"], audit["rows_read"], audit["rows_loaded"]) == ("gb18030", "csv", 3, 3)


def test_gb18030_four_byte_character_survives(raw_dir, ingest):
    rows = [r[:] for r in SCHOOLS]
    rows[1][1] = "𠮷野小学"  # a character outside GBK, four bytes in GB18030
    write_delimited(raw_dir / "2024" / "schools.csv", rows, encoding="gb18030")
    _, con = ingest(raw_dir)
    assert con.execute("SELECT school_name FROM raw.schools WHERE school_id = '0001'").fetchone() == ("𠮷野小学",)


def test_utf8_with_bom_and_tab_separated(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes_a.csv", CHINESE_CLASSES[:2], encoding="utf-8-sig")
    write_delimited(raw_dir / "2024" / "classes_b.tsv", [CHINESE_CLASSES[0], *CHINESE_CLASSES[2:]], delimiter="\t")
    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES
    assert load_row(con, "2024/classes_a.csv")["encoding"] == "utf-8-sig"
    assert load_row(con, "2024/classes_b.tsv")["format"] == "tsv"


def test_tab_separated_content_in_a_csv_file_is_detected(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes.csv", CHINESE_CLASSES, delimiter="\t")
    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES


def test_xlsx_title_row_and_every_sheet_with_a_header(raw_dir, ingest):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "小学"
    first.append(["2024年班级统计表（小学）"])  # a title row above the header
    first.append(CHINESE_CLASSES[0])
    first.append(CHINESE_CLASSES[1])
    first.append([])  # an empty row inside the data is not a record
    first.append(CHINESE_CLASSES[3])
    second = workbook.create_sheet("初中")
    second.append(CHINESE_CLASSES[0])
    second.append(CHINESE_CLASSES[2])
    notes = workbook.create_sheet("说明")
    notes.append(["本表由统计软件导出"])  # no header row: skipped, noted
    workbook.save(raw_dir / "2024" / "classes_539902.xlsx")

    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES
    rows = con.execute("SELECT source_sheet, source_row, class_id FROM raw.classes ORDER BY class_id").fetchall()
    # Row numbers as Excel shows them: title in row 1, header in row 2.
    assert rows == [("小学", 3, "101"), ("小学", 5, "102"), ("初中", 2, "701")]
    audit = load_row(con, "2024/classes_539902.xlsx")
    assert audit["rows_read"] == 3 and audit["rows_loaded"] == 3
    assert "说明" in audit["notes"]


def test_parquet_with_typed_columns(raw_dir, ingest):
    pl.DataFrame(
        {
            "school_id": ["0001", "0002", "0003"],
            "class_id": ["101", "701", "102"],
            "stage": ["primary", "junior", "primary"],
            "grade": [1, 7, 2],
            "students": [40, 52, 38],
        }
    ).write_parquet(raw_dir / "2024" / "classes.parquet")
    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES
    assert con.execute("SELECT min(source_row), max(source_row) FROM raw.classes").fetchone() == (1, 3)


def test_header_aliases_case_spaces_and_full_width(raw_dir, ingest):
    headers = [
        "School ID",
        "ＣＬＡＳＳ＿ＩＤ",
        " Stage ",
        "年级",
        "学生数",
    ]  # English, full-width, padded, two Chinese aliases
    write_delimited(raw_dir / "2024" / "classes.csv", [headers, *CHINESE_CLASSES[1:]])
    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES


def test_extra_columns_are_kept_as_json(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "classes.csv", [[*CHINESE_CLASSES[0], "班主任工号"], [*CHINESE_CLASSES[1], "T9"]]
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT extra->>'班主任工号' FROM raw.classes").fetchone() == ("T9",)
    assert "班主任工号" in load_row(con, "2024/classes.csv")["notes"]


def test_several_files_of_one_table_add_up(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes_539901.csv", CHINESE_CLASSES[:2])
    write_delimited(raw_dir / "2024" / "classes_539902.csv", [CHINESE_CLASSES[0], *CHINESE_CLASSES[2:]])
    _, con = ingest(raw_dir)
    assert _classes(con) == EXPECTED_CLASSES
    assert con.execute("SELECT count(DISTINCT source_file) FROM raw.classes").fetchone() == (2,)
