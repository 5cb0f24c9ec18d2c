"""Names from the data that try to break the report: formulas in the workbook, control characters, values that
cannot be written. The report must hold on its own, whatever a warehouse loaded before ingestion cleaned names."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from pipeline.report import DEFAULT_SECTIONS, write_county_report
from pipeline.report.batch import REPORTS_PER_WORKER, write_reports
from pipeline.report.model import Column, ReportError, Section, Table

REPO = Path(__file__).resolve().parents[2]
COUNTY, YEAR = "539901", 2024
COUNTY_FORMULA = '=HYPERLINK("http://x","y")'
SCHOOL_FORMULAS = {  # a school of the county, by id: a name a spreadsheet would take for a formula
    "0530018192": "+1+1",
    "0530016111": "-2+3",
    "0530014030": "@SUM(A1:A9)",
    "1530011949": "\t=1+1",
    "0530019868": "\r=1+1",
}
SCHOOL_FORMULAS_SHOWN = {**SCHOOL_FORMULAS, "0530019868": "\u240d=1+1"}  # a carriage return is shown, as ␍
CONTROL_COUNTY = "明湖\x00区\x07\x1b[31m"
CONTROL_SCHOOL = "实验\x1b]8;;http://x\x07小学\x0b\x7f\x9b"
# what the reader sees instead: each control character as its Unicode control picture, C1 ones by their code
CONTROL_COUNTY_SHOWN = "明湖\u2400区\u2407\u241b[31m"
CONTROL_SCHOOL_SHOWN = "实验\u241b]8;;http://x\u2407小学\u240b\u2421\\x9b"
# control characters an XML or HTML reader refuses, hides or changes (tab and line feed are text)
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _rename(county: str, schools: dict[str, str]) -> list[str]:
    quoted = county.replace("'", "''")
    statements = [
        f"UPDATE marts.county_summary SET county_name = '{quoted}' WHERE county_code = '{COUNTY}'",
        f"UPDATE marts.dim_school SET county_name = '{quoted}' WHERE county_code = '{COUNTY}'",
    ]
    statements += [
        f"UPDATE marts.dim_school SET school_name = '{name}' WHERE school_id = '{school}'"
        for school, name in schools.items()
    ]
    return statements


def _cells(path):
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def test_names_from_the_data_are_text_in_every_cell_of_the_workbook_never_formulas(planted, tmp_path):
    con = planted(*_rename(COUNTY_FORMULA, SCHOOL_FORMULAS))
    files = write_county_report(con, COUNTY, YEAR, tmp_path)

    cells = list(_cells(files.xlsx))
    assert [(sheet, c.coordinate, c.value) for sheet, c in cells if c.data_type == "f"] == []
    with zipfile.ZipFile(files.xlsx) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        xml = [book.read(name).decode() for name in sheets]
        assert xml and not any("<f>" in text or "<f " in text for text in xml)
    book = load_workbook(files.xlsx)
    for ws in book.worksheets:  # the context line of every sheet shows the name as given, kept as text when edited
        assert ws["A2"].value.startswith(f"{COUNTY_FORMULA}（{COUNTY}） · {YEAR} · ") and ws["A2"].quotePrefix
    shown = [c.value for _, c in cells]
    for name in SCHOOL_FORMULAS_SHOWN.values():
        assert name in shown, name
    quoted = {c.value for _, c in cells if c.quotePrefix}
    assert set(SCHOOL_FORMULAS_SHOWN.values()) - {"\u240d=1+1"} <= quoted
    assert book.properties.title.startswith(COUNTY_FORMULA)


def test_control_characters_in_names_are_shown_not_written_raw(planted, tmp_path):
    con = planted(*_rename(CONTROL_COUNTY, {"0530018192": CONTROL_SCHOOL}))
    files = write_county_report(con, COUNTY, YEAR, tmp_path)

    html = files.html.read_text(encoding="utf-8")
    assert not RAW_CONTROL.search(html), RAW_CONTROL.search(html)
    assert f"<title>{CONTROL_COUNTY_SHOWN} {YEAR}" in html
    assert CONTROL_SCHOOL_SHOWN in html
    shown = [c.value for _, c in _cells(files.xlsx)]
    assert not any(isinstance(v, str) and RAW_CONTROL.search(v) for v in shown)
    assert CONTROL_SCHOOL_SHOWN in shown
    with_county = [v for v in shown if isinstance(v, str) and "明湖\u2400" in v]
    assert with_county and all(v.startswith(f"{CONTROL_COUNTY_SHOWN}（{COUNTY}）") for v in with_county)
    with zipfile.ZipFile(files.xlsx) as book:
        assert CONTROL_COUNTY_SHOWN in book.read("docProps/core.xml").decode()


def _unwritable_section(ctx) -> Section:
    """A section whose table holds a number the page prints but no workbook cell holds (a fraction), as a later
    section might by mistake."""
    table = Table(
        "unwritable", "不可写", "不可写", columns=[Column("value", "数值", "int")], rows=[{"value": Fraction(1, 3)}]
    )
    return Section("unwritable", "不可写", [table])


def test_a_report_that_still_fails_names_the_county_the_sheet_and_the_value(con, tmp_path):
    with pytest.raises(ReportError) as failed:
        write_county_report(con, COUNTY, YEAR, tmp_path, sections=[*DEFAULT_SECTIONS, _unwritable_section])
    message = str(failed.value)
    assert COUNTY in message and str(YEAR) in message
    assert "不可写" in message and "A4" in message and "Fraction(1, 3)" in message
    zh, en = message.split(" / ", 1)  # Chinese first, then English, each naming the same
    assert "无法" in zh and "cannot" in en and all(part in zh and part in en for part in (COUNTY, "不可写", "A4"))
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_failing_report_in_a_worker_process_comes_back_naming_its_county(con, demo_warehouse, tmp_path):
    sections = [*DEFAULT_SECTIONS, _unwritable_section]
    with pytest.raises(ReportError, match=f"{COUNTY} {YEAR}.*不可写"):
        write_reports(
            demo_warehouse, YEAR, tmp_path, counties=[COUNTY] * REPORTS_PER_WORKER * 2, workers=2, sections=sections
        )


def test_equity_report_prints_a_failing_county_without_a_traceback(demo_warehouse, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(demo_warehouse, broken)
    with duckdb.connect(str(broken)) as rw:  # a mart whose figure is not a number, as a hand-edited warehouse may be
        rw.execute("ALTER TABLE marts.school_stage_summary ALTER students TYPE VARCHAR")
        rw.execute(f"UPDATE marts.school_stage_summary SET students = '[/]\x1b[2J' WHERE county_code = '{COUNTY}'")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "report",
            "--county",
            COUNTY,
            "--year",
            str(YEAR),
            "--warehouse",
            str(broken),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    err = " ".join(done.stderr.split())
    assert "Traceback" not in err and f"县 {COUNTY} {YEAR} 的报告无法生成" in err and "[/]\\x1b[2J" in err, err
    assert "\x1b[2J" not in done.stderr
