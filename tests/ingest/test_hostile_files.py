"""Hostile and clumsy input files: control characters, bombs, huge values, links and folders, old Mac line endings.

Each test is a probe of issue 18 (items 6, 7 and 10, CR-only files, rows read of refused files) on real files.
"""

from __future__ import annotations

import faulthandler
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from tests.census_files import SCHOOLS, write_delimited
from tests.ingest.conftest import load_row, rejected

CLASS_HEADER = ["school_id", "class_id", "stage", "grade", "students"]


@pytest.fixture(autouse=True)
def _no_hang():
    """A probe that reads a device or a pipe would wait for ever: fail it instead."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _refusals(con) -> dict[str, str]:
    return dict(con.execute("SELECT source_file, reason FROM audit.loads WHERE status = 'refused'").fetchall())


# --- item 6: control characters -------------------------------------------------------------------------------


def test_control_characters_are_removed_and_the_file_says_where(raw_dir, ingest):
    rows = [r[:] + ["备注"] if i == 0 else r[:] + ["ok"] for i, r in enumerate(SCHOOLS)]
    rows[1][1] = "First\x00 Pri\x07mary\x1b[31m"
    rows[3][5] = "bell\x07 and DEL\x7f and C1\x85 kept\ttab"
    write_delimited(raw_dir / "2024" / "schools.csv", rows)
    _, con = ingest(raw_dir)
    names = con.execute("SELECT school_id, school_name, extra->>'备注' FROM raw.schools ORDER BY 1").fetchall()
    assert names[0] == ("0001", "First Primary[31m", "ok")
    assert names[2][2] == "bell and DEL and C1 kept\ttab"
    notes = load_row(con, "2024/schools.csv")["notes"]
    assert "控制字符" in notes and notes.index("控制字符") < notes.index("control characters")
    assert "school_name" in notes and "备注" in notes and "2" in notes and "4" in notes
    stored = str(con.execute("SELECT * FROM raw.schools").fetchall())
    assert not any(ch in stored for ch in "\x00\x07\x1b\x7f\x85")


def test_control_characters_in_files_read_together_are_noted_per_file(raw_dir, ingest):
    year = raw_dir / "2024"
    write_delimited(year / "classes_539901.csv", [CLASS_HEADER, ["0001", "1\x1b", "primary", "1", "40"]])
    write_delimited(year / "classes_539902.csv", [CLASS_HEADER, ["0001", "2", "primary", "1", "41"]])
    _, con = ingest(raw_dir)
    assert con.execute("SELECT class_id FROM raw.classes ORDER BY 1").fetchall() == [("1",), ("2",)]
    assert "class_id" in load_row(con, "2024/classes_539901.csv")["notes"]
    assert load_row(con, "2024/classes_539902.csv")["notes"] is None


def test_a_line_break_inside_a_quoted_value_becomes_a_space(raw_dir, ingest):
    rows = [r[:] for r in SCHOOLS]
    rows[1][1] = "First\r\nPrimary"
    write_delimited(raw_dir / "2024" / "schools.csv", rows)
    _, con = ingest(raw_dir)
    assert con.execute("SELECT school_name FROM raw.schools WHERE school_id = '0001'").fetchone() == ("First Primary",)


# --- item 7: bounds ---------------------------------------------------------------------------------------------


def _zip_bomb(path: Path, unpacked: int) -> Path:
    """A real XLSX whose shared-strings member unpacks to `unpacked` bytes of one repeated string."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["school_id", "school_name", "county_code", "school_type", "urban_rural"])
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        members = {i.filename: source.read(i) for i in source.infolist() if i.filename != "xl/sharedStrings.xml"}
    chunk = ("<si><t>" + "A" * 1000 + "</t></si>").encode() * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for name, data in members.items():
            bomb.writestr(name, data)
        with bomb.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            for _ in range(unpacked // len(chunk) + 1):
                member.write(chunk)
            member.write(b"</sst>")
    return path


def test_an_xlsx_zip_bomb_is_refused_before_it_is_read(raw_dir, ingest):
    bomb = _zip_bomb(raw_dir / "2024" / "classes_539902.xlsx", unpacked=(1 << 30) + (1 << 20))
    assert bomb.stat().st_size < 16 << 20
    started = time.monotonic()
    _, con = ingest(raw_dir)
    assert time.monotonic() - started < 20
    audit = load_row(con, "2024/classes_539902.xlsx")
    assert (audit["status"], audit["rows_read"]) == ("refused", 0)
    assert audit["reason"].startswith("工作簿解压后")
    assert "EQUITY_MAX_UNPACKED_BYTES" in audit["reason"] and "xl/sharedStrings.xml" in audit["reason"]


def test_the_unpacked_size_bound_is_a_setting(raw_dir, ingest, monkeypatch):
    workbook = openpyxl.Workbook()
    for row in SCHOOLS:
        workbook.active.append(row)
    workbook.save(raw_dir / "2024" / "schools_539902.xlsx")
    _, con = ingest(raw_dir)
    assert load_row(con, "2024/schools_539902.xlsx")["status"] == "loaded"
    monkeypatch.setenv("EQUITY_MAX_UNPACKED_BYTES", "2000")
    _, con = ingest(raw_dir, warehouse=raw_dir.parent / "second.duckdb")
    assert load_row(con, "2024/schools_539902.xlsx")["status"] == "refused"


def test_a_file_over_the_row_bound_is_refused_in_every_format(raw_dir, ingest, monkeypatch):
    monkeypatch.setenv("EQUITY_MAX_ROWS_PER_FILE", "3")
    year = raw_dir / "2024"
    many = [CLASS_HEADER] + [["0001", str(i), "primary", "1", "40"] for i in range(4)]
    write_delimited(year / "classes_539901.csv", many)
    write_delimited(year / "classes_539902.csv", many[:3])  # read together with the first: loaded
    write_delimited(year / "classes_539903.csv", many, encoding="gb18030")  # read on its own
    pl.DataFrame(many[1:], schema=CLASS_HEADER, orient="row").write_parquet(year / "classes_539904.parquet")
    workbook = openpyxl.Workbook()
    for row in many:
        workbook.active.append(row)
    workbook.save(year / "classes_539905.xlsx")
    _, con = ingest(raw_dir)
    refused = _refusals(con)
    assert sorted(refused) == [
        f"2024/classes_53990{n}.{ext}" for n, ext in ((1, "csv"), (3, "csv"), (4, "parquet"), (5, "xlsx"))
    ]
    assert all(r.startswith("文件超过 3 行") and "EQUITY_MAX_ROWS_PER_FILE" in r for r in refused.values())
    assert con.execute("SELECT rows_read FROM audit.loads WHERE status = 'refused'").fetchall() == [(0,)] * 4
    assert load_row(con, "2024/classes_539902.csv")["rows_loaded"] == 2


def test_a_value_over_the_length_bound_rejects_its_row_and_is_stored_cut_once(raw_dir, ingest, monkeypatch):
    monkeypatch.setenv("EQUITY_MAX_VALUE_CHARS", "50")
    rows = [r[:] + ["note"] for r in SCHOOLS]
    rows[0][5] = "备注"
    rows[1][1] = "名" * 1000
    rows[2][5] = "x" * 5000
    write_delimited(raw_dir / "2024" / "schools.csv", rows)
    _, con = ingest(raw_dir)
    assert con.execute("SELECT school_id FROM raw.schools").fetchall() == [("0003",)]
    problems = rejected(con, "schools")
    assert [(r, c) for _, r, c, _, _ in problems] == [(2, "school_name"), (3, "备注")]
    assert (
        problems[0][4]
        == "值过长：1000 个字符，上限 50（EQUITY_MAX_VALUE_CHARS） / value too long: 1000 characters, the limit is 50 (EQUITY_MAX_VALUE_CHARS)"
    )
    assert problems[0][3].startswith("名" * 50) and len(problems[0][3]) < 60
    stored = con.execute(
        "SELECT sum(length(value) + coalesce(length(record::VARCHAR), 0)) FROM audit.rejected_rows"
    ).fetchone()[0]
    assert stored < 600
    record = con.execute(
        "SELECT record->>'school_id', record->>'school_name' FROM audit.rejected_rows ORDER BY source_row"
    ).fetchone()
    assert record == ("0001", None)
    audit = load_row(con, "2024/schools.csv")
    assert (audit["rows_read"], audit["rows_loaded"], audit["rows_rejected"]) == (3, 1, 2)


def test_a_long_value_in_files_read_together_rejects_only_its_row(raw_dir, ingest, monkeypatch):
    monkeypatch.setenv("EQUITY_MAX_VALUE_CHARS", "50")
    year = raw_dir / "2024"
    write_delimited(
        year / "classes_539901.csv",
        [CLASS_HEADER, ["0001", "1", "primary", "1", "4" * 60], ["0001", "2", "primary", "1", "40"]],
    )
    write_delimited(year / "classes_539902.csv", [CLASS_HEADER, ["0001", "3", "primary", "1", "40"]])
    _, con = ingest(raw_dir)
    assert con.execute("SELECT class_id FROM raw.classes ORDER BY 1").fetchall() == [("2",), ("3",)]
    assert [(f, r, c) for f, r, c, _, _ in rejected(con)] == [("2024/classes_539901.csv", 2, "students")]


def test_a_malformed_line_is_stored_cut(raw_dir, ingest, monkeypatch):
    monkeypatch.setenv("EQUITY_MAX_VALUE_CHARS", "50")
    (raw_dir / "2024" / "classes.csv").write_text(
        f"{','.join(CLASS_HEADER)}\n0001,1,primary,1,40\n0001,2,primary,2,40,{'y' * 300000}\n"
    )
    _, con = ingest(raw_dir)
    ((_, row, column, value, reason),) = rejected(con)
    assert (row, column) == (3, None) and reason.startswith("malformed line") and len(value) < 80


def test_a_huge_line_is_stored_once_and_cut_without_blowing_up_memory(tmp_path):
    """A 200 MB value in a count column, loaded by a process of its own whose peak memory is measured."""
    raw = tmp_path / "raw"
    write_delimited(raw / "2024" / "schools.csv", SCHOOLS)
    with open(raw / "2024" / "classes.csv", "w") as handle:
        handle.write(",".join(CLASS_HEADER) + "\n0001,1,primary,1,40\n0001,2,primary,1,")
        for _ in range(200):
            handle.write("9" * (1 << 20))
        handle.write("\n")
    script = (
        "import sys, uuid, resource; from pathlib import Path; from pipeline.warehouse.db import connect;"
        "from pipeline.ingest.year import load_year;"
        "con = connect(sys.argv[2]); load_year(con, Path(sys.argv[1]), 2024, str(uuid.uuid4()), None);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(raw), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stdout.split()[-1]) / 1024
    assert peak_mb < 2500, f"peak memory {peak_mb:.0f} MB for a 200 MB line"
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        row = con.execute(
            "SELECT source_row, column_name, length(value), length(record::VARCHAR), reason FROM audit.rejected_rows"
        ).fetchone()
        assert row[:2] == (3, "students")
        assert row[2] < 300 and row[3] < 300
        assert row[4].startswith("值过长")
        assert con.execute("SELECT class_id FROM raw.classes").fetchall() == [("1",)]


# --- item 10: files that vanish or come from outside ------------------------------------------------------------


def test_links_devices_folders_and_sub_folders_are_refused_with_their_reason(raw_dir, ingest, tmp_path):
    year = raw_dir / "2024"
    (year / "classes_539901.csv").symlink_to(tmp_path / "gone.csv")  # dangling
    (year / "classes_539902.csv").symlink_to("/dev/zero")
    (year / "teachers.csv").symlink_to("/etc/passwd")
    (year / "classes.csv").mkdir()
    write_delimited(year / "classes.csv" / "inside.csv", [CLASS_HEADER, ["0001", "1", "primary", "1", "40"]])
    write_delimited(year / "备份" / "schools.csv", SCHOOLS)
    os.mkfifo(year / "rooms.csv")
    outside = write_delimited(tmp_path / "elsewhere" / "facilities.csv", [["school_id", "stage"], ["0001", "all"]])
    (year / "facilities.csv").symlink_to(outside)
    write_delimited(raw_dir / "shared" / "finance.csv", [["school_id", "public_funds_budget_yuan"], ["0001", "100"]])
    (year / "finance.csv").symlink_to(raw_dir / "shared" / "finance.csv")  # inside the raw folder: read
    load, con = ingest(raw_dir)
    refused = _refusals(con)
    assert refused == {
        "2024/classes_539901.csv": "链接指向的文件不存在 / a link to a file that does not exist",
        "2024/classes_539902.csv": "链接指向原始数据文件夹之外 / a link to outside the raw folder",
        "2024/teachers.csv": "链接指向原始数据文件夹之外 / a link to outside the raw folder",
        "2024/facilities.csv": "链接指向原始数据文件夹之外 / a link to outside the raw folder",
        "2024/classes.csv": "是文件夹，不是文件 / a folder, not a file",
        "2024/classes.csv/inside.csv": "在子文件夹中，不属于该年 / in a sub-folder, not part of the year",
        "2024/备份/schools.csv": "在子文件夹中，不属于该年 / in a sub-folder, not part of the year",
        "2024/rooms.csv": "不是普通文件（设备、管道或套接字） / not a regular file (a device, a pipe or a socket)",
    }
    assert con.execute("SELECT count(*) FROM audit.loads WHERE status = 'refused' AND rows_read = 0").fetchone() == (8,)
    assert con.execute("SELECT count(*) FROM raw.schools").fetchone() == (3,)
    assert con.execute("SELECT count(*), min(source_file) FROM raw.finance").fetchone() == (1, "2024/finance.csv")
    assert con.execute("SELECT count(*) FROM raw.teachers").fetchone() == (0,)
    assert "root:" not in str(con.execute("SELECT * FROM audit.rejected_rows").fetchall())


def test_a_year_folder_that_links_outside_the_raw_folder_is_refused(tmp_path, ingest):
    outside = tmp_path / "share" / "2024"
    write_delimited(outside / "schools.csv", SCHOOLS)
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "2024").symlink_to(outside, target_is_directory=True)
    from pipeline.ingest.year import find_years

    assert find_years(tmp_path / "raw") == [2024]
    _, con = ingest(tmp_path / "raw")
    assert _refusals(con) == {"2024": "链接指向原始数据文件夹之外 / a link to outside the raw folder"}
    assert con.execute("SELECT count(*) FROM raw.schools").fetchone() == (0,)


# --- CR-only line endings, rows read of refused files ----------------------------------------------------------


def test_cr_only_line_endings_are_lines(raw_dir, ingest):
    text = "\r".join(",".join(r) for r in SCHOOLS) + "\r"
    (raw_dir / "2024" / "schools.csv").write_bytes(text.encode())
    year = raw_dir / "2024"
    (year / "classes_539901.csv").write_bytes(
        f"{','.join(CLASS_HEADER)}\r0001,1,primary,1,40\r0001,2,primary,2,41".encode()
    )
    (year / "classes_539902.csv").write_bytes(f"{','.join(CLASS_HEADER)}\n0002,1,junior,7,40\n".encode())
    (year / "classes_539903.csv").write_bytes(f"{','.join(CLASS_HEADER)}\r0003,1,primary,1,30\r".encode("gb18030"))
    _, con = ingest(raw_dir)
    assert con.execute("SELECT count(*) FROM raw.schools").fetchone() == (3,)
    assert con.execute("SELECT school_id, class_id, source_row FROM raw.classes ORDER BY 1, 2").fetchall() == [
        ("0001", "1", 2),
        ("0001", "2", 3),
        ("0002", "1", 2),
        ("0003", "1", 2),
    ]
    assert load_row(con, "2024/schools.csv")["rows_read"] == 3


def test_refused_files_report_the_rows_they_were_read_with(raw_dir, ingest):
    """0 when the refusal came before the rows could be read; the data rows when they were read."""
    year = raw_dir / "2024"
    write_delimited(
        year / "classes_missing.csv", [["school_id", "class_id", "students"], ["0001", "1", "40"], ["0001", "2", "41"]]
    )
    (year / "classes_bytes.csv").write_bytes(b"school_id,class_id,stage,students\n0001,1,primary,\xff\xfe\xfa40\n")
    write_delimited(year / "classes_noheader.csv", [["a", "b"], ["1", "2"]])
    (year / "classes_notes.docx").write_bytes(b"PK\x03\x04")
    (year / "classes_broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    write_delimited(
        year / "teachers.csv",
        [["teacher_id", "school_id", "stage", "id_card_number"], ["T1", "0001", "primary", "53990119800101123X"]],
    )
    _, con = ingest(raw_dir, salt=None)
    rows = dict(con.execute("SELECT source_file, rows_read FROM audit.loads WHERE status = 'refused'").fetchall())
    assert rows == {
        "2024/classes_missing.csv": 2,
        "2024/teachers.csv": 1,
        "2024/classes_bytes.csv": 0,
        "2024/classes_noheader.csv": 0,
        "2024/classes_notes.docx": 0,
        "2024/classes_broken.xlsx": 0,
    }


def test_a_bound_that_is_not_a_positive_whole_number_is_a_clear_error(monkeypatch):
    from pipeline.settings import max_rows_per_file, max_value_chars

    monkeypatch.setenv("EQUITY_MAX_ROWS_PER_FILE", "1_000")
    assert max_rows_per_file() == 1000
    monkeypatch.setenv("EQUITY_MAX_VALUE_CHARS", "ten")
    with pytest.raises(ValueError, match="^EQUITY_MAX_VALUE_CHARS 须为正整数"):
        max_value_chars()
