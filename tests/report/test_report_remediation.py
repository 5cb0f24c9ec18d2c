"""The remediation plan section (整改计划): its figures are those of marts.school_remediation and
marts.county_remediation, cell by cell in the workbook and as printed in the HTML, in both languages;
a county without a failing unit says so; a warehouse without the marts gets no section.

Demo census of 2024: every county has failing units; in 539903 the R5 CVs stay over their limits
after the minimum plan, in 539901 every CV is within its limit after it.
"""

from __future__ import annotations

import re

import pytest
from report_helpers import L, half_up, read_html, read_workbook, rows, same

from pipeline.report import write_county_report
from pipeline.report.labels import status_word

YEAR = 2024
UNIT_FORMATS = {"people": "0", "rooms": "0", "m2": "#,##0.00", "yuan": "#,##0"}  # the workbook's, by natural unit
NOT_ITEMS = {"year", "county_code", "stage", "cv_limit"}  # county_remediation columns that are not rows of the totals


def plan_rows(con, county: str) -> list[dict]:
    """The rows the section must list: every indicator of every unit that fails now."""
    return rows(
        con,
        """
        SELECT r.*, k.name_zh AS kind_zh, k.name_en AS kind_en
        FROM marts.school_remediation AS r JOIN reference.remediation_kinds AS k USING (kind)
        WHERE r.county_code = ? AND r.year = ? AND r.plan_status <> 'already_passes'""",
        [county, YEAR],
    )


def county_rows(con, county: str) -> dict[str, dict]:
    return {
        r["stage"]: r
        for r in rows(con, "SELECT * FROM marts.county_remediation WHERE county_code = ? AND year = ?", [county, YEAR])
    }


def stage_names(con, lang: str) -> dict[str, str]:
    return {r["stage"]: r[f"name_{lang}"] for r in rows(con, "SELECT * FROM reference.stages")}


def plan_words(row: dict, lang: str) -> str:
    if row["needed_to_pass"]:
        return L(f"rem.target.{row['target']}", lang)
    return L("rem.not_needed", lang)


def section_html(path) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index('id="s-remediation"')
    return text[start : text.index("</section>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_unit_sheet_equals_school_remediation_cell_by_cell(demo_reports, con, lang):
    expected = {(r["school_id"], r["stage"], r["indicator"]): r for r in plan_rows(con, "539901")}
    sheet = read_workbook(demo_reports[("539901", lang)].xlsx)[L("rem.schools", lang)]
    stages = {name: stage for stage, name in stage_names(con, lang).items()}
    got = sheet.records()
    assert len(got) == len(expected) > 20
    failing = county_rows(con, "539901")["all"]["failing_units"]
    assert len({(r[L("col.school_id", lang)], r[L("col.stage", lang)]) for r in got}) == failing
    for rec, formats in zip(got, sheet.formats):
        e = expected[(rec[L("col.school_id", lang)], stages[rec[L("col.stage", lang)]], rec[L("col.code", lang)])]
        for header, column in (
            ("col.value", "value"),
            ("col.standard", "standard"),
            ("rem.shortfall", "shortfall"),
            ("rem.shortfall_to_min_ratio", "shortfall_to_min_ratio"),
            ("rem.addition", "addition"),
            ("rem.value_after", "value_after"),
            ("rem.cost", "estimated_cost"),
        ):
            assert same(rec[L(header, lang)], e[column]), (header, rec, e)
        assert rec[L("rem.kind", lang)] == e[f"kind_{lang}"]
        assert rec[L("col.unit", lang)] == L(f"unit.{e['unit']}", lang)
        assert rec[L("rem.plan", lang)] == plan_words(e, lang)
        assert rec[L("rem.plan_status", lang)] == L(f"rem.plan.{e['plan_status']}", lang)
        for header in ("rem.shortfall", "rem.shortfall_to_min_ratio", "rem.addition"):
            assert formats[sheet.col(L(header, lang))] == UNIT_FORMATS[e["unit"]], (header, e["unit"])
    marked = {k for k, e in expected.items() if e["needed_to_pass"]}
    assert 0 < len(marked) < len(expected)  # the demo has additions in and out of the minimum plan


def test_units_print_in_the_html_with_their_unit_and_status(demo_reports, con):
    expected = {(r["school_id"], r["stage"], r["indicator"]): r for r in plan_rows(con, "539901")}
    stages = {name: stage for stage, name in stage_names(con, "zh").items()}
    table = read_html(demo_reports[("539901", "zh")].html)[0]["remediation_units"]
    unit = None
    for rec, css in zip(table.records(), table.classes()):
        if rec["school_id"]:  # the unit's name, ID and stage are printed on its first row
            unit = (rec["school_id"], stages[rec["stage_text"]])
        e = expected.pop((*unit, rec["indicator"]))
        places = 2 if e["unit"] == "m2" else 0
        for key in ("shortfall", "shortfall_to_min_ratio", "addition"):
            assert rec[key] == half_up(e[key], places, grouped=True), (key, e)
        assert rec["estimated_cost"] == half_up(e["estimated_cost"], 0, grouped=True)
        assert rec["value"] == half_up(e["value"], 2) and rec["value_after"] == half_up(e["value_after"], 2)
        assert f"st-{e['status']}" in css["value"].split() and f"st-{e['status_after']}" in css["value_after"].split()
        assert rec["plan_text"] == plan_words(e, "zh")
    assert expected == {}


@pytest.mark.parametrize("county,lang", [("539901", "zh"), ("539903", "en")])
def test_county_sheet_equals_county_remediation(demo_reports, con, county, lang):
    expected = county_rows(con, county)
    columns = [
        r["column_name"]
        for r in rows(
            con,
            """
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'marts' AND table_name = 'county_remediation' ORDER BY ordinal_position""",
        )
    ]
    items = [c for c in columns if c not in NOT_ITEMS and not re.match(r"r\d_", c)]  # the CVs are the next table
    sheet = read_workbook(demo_reports[(county, lang)].xlsx)[L("rem.county", lang)]
    names = stage_names(con, lang)
    headers = {stage: L("rem.county_total", lang) if stage == "all" else names[stage] for stage in expected}
    assert set(sheet.headers) == {L("kv.item", lang), L("col.unit", lang), *headers.values()}
    got = {r[L("kv.item", lang)]: r for r in sheet.records()}
    assert set(got) == {L(f"rem.item.{c}", lang) for c in items}
    for column in items:
        for stage, header in headers.items():
            value = expected[stage][column]
            if column == "resource_status_after":
                value = status_word(value, lang)
            cell = got[L(f"rem.item.{column}", lang)][header]
            assert same(cell, value), (column, stage, cell, value)


def test_cvs_after_the_plan_equal_county_remediation(demo_reports, con):
    expected = county_rows(con, "539903")
    names = {name: stage for stage, name in stage_names(con, "zh").items()}
    sheet = read_workbook(demo_reports[("539903", "zh")].xlsx)[L("rem.cv")]
    got = sheet.records()
    assert len(got) == 14
    for rec in got:
        e, n = expected[names[rec[L("col.stage")]]], rec[L("col.code")].lower()
        assert same(rec[L("rem.cv_before")], e[f"{n}_cv_before"]) and same(rec[L("rem.cv_after")], e[f"{n}_cv_after"])
        assert same(rec[L("res.cv_limit")], e["cv_limit"])
        assert rec[L("rem.cv_status_after")] == status_word(e[f"{n}_status_after"], "zh")
    still_over = [
        (r[L("col.stage")], r[L("col.code")])
        for r in got
        if r[L("rem.cv_status_after")] == status_word("not_met", "zh")
    ]
    assert still_over == [("小学", "R5"), ("初中", "R5")]  # R5 needs levelling beyond the failing units
    printed = read_html(demo_reports[("539903", "zh")].html)[0]["remediation_cv"]
    r5 = [css for rec, css in zip(printed.records(), printed.classes()) if rec["indicator"] == "R5"]
    assert len(r5) == 2 and all("st-not_met" in css["cv_after"].split() for css in r5)


@pytest.mark.parametrize("county,status,over", [("539903", "not_met", "小学：R5；初中：R5"), ("539901", "met", "无")])
def test_verdict_says_whether_the_county_passes_after_the_plan(demo_reports, con, county, status, over):
    total = county_rows(con, county)["all"]
    assert total["resource_status_after"] == status
    html = section_html(demo_reports[(county, "zh")].html)
    assert f'data-status="{status}"' in html
    for line in (
        f"{L('rem.item.failing_units')}：{total['failing_units']} / {total['evaluated_units']}",
        f"{L('rem.item.estimated_cost')}：{half_up(total['estimated_cost'], 0, grouped=True)} 元",
        f"{L('rem.item.cv_indicators_over_limit_after')}：{over}",
    ):
        assert f"<li>{line}</li>" in html, line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_county_without_a_failing_unit_says_so(planted, tmp_path, lang):
    where = "county_code = '539902' AND year = 2024"
    con = planted(
        f"DELETE FROM marts.school_remediation WHERE {where} AND plan_status <> 'already_passes'",
        f"UPDATE marts.county_remediation SET failing_units = 0, units_with_additions = 0 WHERE {where}",
    )
    files = write_county_report(con, "539902", YEAR, tmp_path, lang)
    html = section_html(files.html)
    assert L("rem.schools_none", lang) in html and 'data-table="remediation_units"' not in html
    assert f"<li>{L('rem.item.failing_units', lang)}{L('punct.colon', lang)}0 / " in html
    book = read_workbook(files.xlsx)
    assert book[L("rem.schools", lang)].rows == []
    totals = {r[L("kv.item", lang)]: r for r in book[L("rem.county", lang)].records()}
    assert totals[L("rem.item.failing_units", lang)][L("rem.county_total", lang)] == 0
    assert len(book[L("rem.cv", lang)].rows) == 14  # the CVs after are still shown


def test_a_warehouse_without_the_remediation_marts_has_no_plan_section(planted, tmp_path):
    con = planted("DROP TABLE marts.school_remediation", "DROP TABLE marts.county_remediation")
    files = write_county_report(con, "539901", YEAR, tmp_path)
    assert 'id="s-remediation"' not in files.html.read_text(encoding="utf-8")
    assert L("rem.schools") not in read_workbook(files.xlsx)
