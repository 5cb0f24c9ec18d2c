"""The report's figures are the marts' figures: the workbook cell by cell against SQL, the HTML against the workbook.

County 539901, 2024, of the demo census (two years, so the year-over-year table has a previous year).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from report_helpers import L, excel_text, half_up, read_html, read_workbook, rows, same

from pipeline.report.labels import status_word

COUNTY, YEAR = "539901", 2024
STAGE_ORDER = {"primary": 0, "junior": 1}


@pytest.fixture(scope="module")
def book(demo_reports):
    return read_workbook(demo_reports[(COUNTY, "zh")].xlsx)


@pytest.fixture(scope="module")
def html(demo_reports):
    tables, _ = read_html(demo_reports[(COUNTY, "zh")].html)
    return tables


def stage_zh(stage):
    return {"primary": "小学", "junior": "初中"}[stage]


def test_every_county_has_both_files_in_both_languages(demo_reports, con):
    counties = [
        r[0]
        for r in con.execute(
            "SELECT county_code FROM marts.county_summary WHERE year = ? ORDER BY 1", [YEAR]
        ).fetchall()
    ]
    assert counties == ["539901", "539902", "539903"]
    for county in counties:
        for lang in ("zh", "en"):
            files = demo_reports[(county, lang)]
            assert files.html.name == f"report_{county}_{YEAR}_{lang}.html"
            assert files.xlsx.name == f"report_{county}_{YEAR}_{lang}.xlsx"
            assert files.html.stat().st_size > 10_000 and files.xlsx.stat().st_size > 5_000


def test_overview_and_verdicts_equal_county_summary(book, con):
    s = rows(con, "SELECT * FROM marts.county_summary WHERE county_code = ? AND year = ?", [COUNTY, YEAR])[0]
    r = rows(
        con,
        "SELECT value FROM marts.county_assessment WHERE county_code = ? AND year = ? AND indicator = 'R'",
        [COUNTY, YEAR],
    )[0]
    overview = {rec[L("kv.item")]: rec[L("kv.value")] for rec in book[L("summary.overview")].records()}
    expected = {
        L("kv.schools"): s["schools"],
        L("kv.students"): s["students"],
        L("kv.units"): s["units"],
        L("kv.evaluated_units"): s["evaluated_units"],
        L("kv.passing_units"): s["passing_units"],
        L("kv.passing_share"): r["value"],
        L("kv.cv_checks"): s["cv_checks"],
        L("kv.cv_within_limits"): s["cv_within_limits"],
    }
    assert overview.keys() == expected.keys()
    assert all(same(overview[k], expected[k]) for k in expected), (overview, expected)
    areas = {rec[L("col.area")]: rec[L("col.result")] for rec in book[L("summary.areas")].records()}
    assert areas[L("summary.overall")] == L(f"verdict.{s['overall']}")
    for area in ("resource", "government", "quality", "social"):
        assert areas[L(f"area.{area}")] == L(f"verdict.{s[area + '_met']}")
    assert areas[L("area.veto")] == L({True: "veto.true", False: "veto.false", None: "veto.null"}[s["veto"]])


def test_reasons_are_every_assessment_row_not_met(book, con):
    order = {"not_met": 0, "no_data": 1, "qualitative": 2}
    expected = sorted(
        rows(
            con,
            """
        SELECT indicator, stage, value, standard, status, detail, sort_order FROM marts.county_assessment
        WHERE county_code = ? AND year = ? AND status <> 'met'""",
            [COUNTY, YEAR],
        ),
        key=lambda e: (order[e["status"]], e["sort_order"], STAGE_ORDER.get(e["stage"], 9)),
    )
    got = book[L("summary.reasons")].records()
    assert len(got) == len(expected) > 0
    for rec, e in zip(got, expected):
        assert rec[L("col.code")] == e["indicator"]
        if e["stage"]:
            assert stage_zh(e["stage"]) in rec[L("col.indicator")]
        assert rec[L("col.status")] == status_word(e["status"], "zh")
        assert rec[L("col.detail")] == e["detail"]
        if e["status"] == "qualitative":
            assert rec[L("col.value")] is None and rec[L("col.status")] == L("gov.qualitative")
        elif e["indicator"] not in ("G6", "V"):
            assert same(rec[L("col.value")], e["value"]) and same(rec[L("col.standard")], e["standard"])


def test_seven_indicators_equal_county_cv(book, con, html):
    cv = rows(con, "SELECT * FROM marts.county_cv WHERE county_code = ? AND year = ?", [COUNTY, YEAR])
    standards = {
        (r["stage"], r["indicator"]): r["standard"]
        for r in rows(
            con,
            """
        SELECT DISTINCT stage, indicator, standard FROM marts.school_stage_indicators WHERE county_code = ? AND year = ?""",
            [COUNTY, YEAR],
        )
    }
    sheet = book[L("res.table")]
    got = sheet.records()
    assert len(got) == len(cv) == 14
    by_key = {(r["indicator"], stage_zh(r["stage"])): r for r in cv}
    for rec in got:
        e = by_key[(rec[L("col.code")], rec[L("col.stage")])]
        assert same(rec[L("col.standard")], standards[(e["stage"], e["indicator"])])
        assert rec[L("res.units_evaluated")] == e["units_evaluated"]
        for header, column in (
            ("res.weighted_mean", "weighted_mean"),
            ("res.cv", "cv"),
            ("res.cv_unweighted", "cv_unweighted"),
            ("res.cv_limit", "cv_limit"),
        ):
            assert same(rec[L(header)], e[column]), (header, rec, e)
        assert rec[L("res.cv_status")] == status_word(e["status"], "zh")
        assert (rec[L("res.borderline")] == L("res.borderline")) == ("borderline" in (e["detail"] or ""))
        assert rec[L("res.units_met")] == e["units_met"]
        assert same(rec[L("res.units_met_share")], e["units_met_share"])
    # formats as the forms print: means 2 decimals, CVs 3
    j_mean, j_cv = sheet.col(L("res.weighted_mean")), sheet.col(L("res.cv"))
    assert {f[j_mean] for f in sheet.formats} == {"0.00"} and {f[j_cv] for f in sheet.formats} == {"0.000"}
    # and the HTML prints them so
    table = html["resource"].records()
    first = by_key[("R1", "小学")]
    assert table[0]["indicator"] == "R1" and table[0]["stage_text"] == "小学"
    assert table[0]["cv"] == half_up(first["cv"], 3)
    assert table[0]["weighted_mean"] == half_up(first["weighted_mean"], 2)
    assert table[0]["units_met"] == str(first["units_met"])
    assert table[1]["indicator"] == ""  # the indicator is printed once per group (R1 primary, R1 junior)


@pytest.mark.parametrize("stage", ["primary", "junior"])
def test_unit_tables_equal_school_stage_marts(book, con, html, stage):
    summary = {
        r["school_id"]: r
        for r in rows(
            con,
            """
        SELECT * FROM marts.school_stage_summary WHERE county_code = ? AND year = ? AND stage = ?""",
            [COUNTY, YEAR, stage],
        )
    }
    values = {}
    for r in rows(
        con,
        """SELECT school_id, indicator, value, status FROM marts.school_stage_indicators
                          WHERE county_code = ? AND year = ? AND stage = ?""",
        [COUNTY, YEAR, stage],
    ):
        values[(r["school_id"], r["indicator"])] = r
    sheet = book[L("sch.table", stage=stage_zh(stage))]
    got = sheet.records()
    assert len(got) == len(summary) > 0
    r_headers = [h for h in sheet.headers if h.startswith("R")]
    assert [h.split(" ")[0] for h in r_headers] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    for rec in got:
        e = summary[rec[L("col.school_id")]]
        assert rec[L("col.students")] == e["students"]
        assert rec[L("col.met_count")] == e["met_count"]
        assert same(rec[L("col.min_ratio")], e["min_ratio"])
        assert rec[L("col.pass_status")] == status_word(e["pass_status"], "zh")
        for header in r_headers:
            assert same(rec[header], values[(e["school_id"], header.split(" ")[0])]["value"])
    # the HTML colours each value by the mart's status
    table = html[f"schools_{stage}"]
    for rec, css in zip(table.records(), table.classes()):
        for code in ("R1", "R2", "R3", "R4", "R5", "R6", "R7"):
            status = values[(rec["school_id"], code)]["status"]
            assert f"st-{status}" in css[code].split(), (rec["school_id"], code, css[code])
            v = values[(rec["school_id"], code)]["value"]
            assert rec[code] == ("—" if v is None else half_up(v, 2))


@pytest.mark.parametrize(
    "title_key,areas",
    [("area.government", ("government",)), ("area.quality", ("quality",)), ("area.social", ("social", "veto"))],
)
def test_government_quality_social_equal_county_assessment(book, con, title_key, areas):
    expected = rows(
        con,
        f"""
        SELECT * FROM marts.county_assessment WHERE county_code = ? AND year = ?
        AND area IN ({", ".join("?" for _ in areas)})
        ORDER BY sort_order, CASE stage WHEN 'primary' THEN 0 WHEN 'junior' THEN 1 ELSE 2 END""",
        [COUNTY, YEAR, *areas],
    )
    title = L("gov.table", area=" / ".join(L(f"area.{a}") for a in areas))
    got = book[title].records()
    assert [r[L("col.code")] for r in got] == [e["indicator"] for e in expected]
    for rec, e in zip(got, expected):
        assert rec[L("col.status")] == status_word(e["status"], "zh")
        if e["status"] == "qualitative":
            assert rec[L("col.value")] is None and rec[L("col.status")] == L("gov.qualitative")
            continue
        if e["indicator"] == "G6":
            assert rec[L("col.value")] == (
                None if e["value"] is None else L("gov.flag_true" if e["value"] else "gov.flag_false")
            )
        elif e["indicator"] == "V":
            assert rec[L("col.value")] == (
                None if e["value"] is None else L("gov.veto_true" if e["value"] else "gov.veto_false")
            )
        else:
            assert same(rec[L("col.value")], e["value"]) and same(rec[L("col.standard")], e["standard"])
        for header, column in (
            ("col.numerator", "numerator"),
            ("col.denominator", "denominator"),
            ("col.second_value", "second_value"),
            ("col.second_standard", "second_standard"),
        ):
            assert same(rec[L(header)], e[column]), (e["indicator"], header)


def test_shares_print_as_percentages_with_one_decimal(book, html):
    sheet = book[L("gov.table", area=L("area.government"))]
    j = sheet.col(L("col.value"))
    g3 = next(i for i, r in enumerate(sheet.rows) if r[0] == "G3")
    assert sheet.formats[g3][j] == "0.0%"
    printed = next(r for r in html["government"].records() if r["indicator"] == "G3")
    assert printed["value"] == excel_text(sheet.rows[g3][j], "0.0%")
    assert printed["value"].endswith("%") and len(printed["value"].split(".")[1]) == 2  # "22.2%"


def test_violations_equal_their_marts(book, con):
    s = rows(con, "SELECT * FROM marts.county_summary WHERE county_code = ? AND year = ?", [COUNTY, YEAR])[0]
    totals = {r[L("kv.item")]: r[L("kv.value")] for r in book[L("vio.summary")].records()}
    for k in (
        "oversize_classes",
        "students_in_oversize_classes",
        "large_classes",
        "students_in_large_classes",
        "super_large_classes",
        "students_in_super_large_classes",
        "oversize_schools",
        "students_in_oversize_schools",
    ):
        assert totals[L(f"kv.{k}")] == s[k]
    classes = rows(
        con,
        """SELECT school_id, class_id, stage, grade, students, standard, excess, category
                           FROM marts.class_size_violations WHERE county_code = ? AND year = ?""",
        [COUNTY, YEAR],
    )
    category_names = {r["category"]: r["name_zh"] for r in rows(con, "SELECT * FROM reference.class_size_categories")}
    got = {(r[L("col.school_id")], r[L("col.class_id")]): r for r in book[L("vio.classes")].records()}
    assert len(got) == len(classes) == s["oversize_classes"]
    for e in classes:
        rec = got[(e["school_id"], e["class_id"])]
        assert (
            rec[L("col.grade")],
            rec[L("col.class_students")],
            rec[L("col.class_standard")],
            rec[L("col.excess")],
        ) == (e["grade"], e["students"], e["standard"], e["excess"])
        assert rec[L("col.category")] == category_names[e["category"]] and rec[L("col.stage")] == stage_zh(e["stage"])
    schools = rows(con, "SELECT * FROM marts.school_size_violations WHERE county_code = ? AND year = ?", [COUNTY, YEAR])
    got = {r[L("col.school_id")]: r for r in book[L("vio.schools")].records()}
    assert set(got) == {e["school_id"] for e in schools} and len(got) == s["oversize_schools"]
    for e in schools:
        rec = got[e["school_id"]]
        assert (rec[L("col.compulsory_students")], rec[L("col.size_limit")], rec[L("col.excess")]) == (
            e["compulsory_students"],
            e["size_limit"],
            e["excess"],
        )


def test_cv_change_equals_county_cv_yoy(book, con, html):
    yoy = rows(con, "SELECT * FROM marts.county_cv_yoy WHERE county_code = ? AND year = ?", [COUNTY, YEAR])
    sheet = book[L("yoy.table", year=YEAR, previous=YEAR - 1)]
    got = sheet.records()
    assert len(got) == len(yoy) == 14
    by_key = {(stage_zh(r["stage"]), r["indicator"]): r for r in yoy}
    for rec in got:
        e = by_key[(rec[L("col.stage")], rec[L("col.code")])]
        assert e["has_previous_year"]
        for header, column in (("yoy.previous_cv", "previous_cv"), ("yoy.cv", "cv"), ("yoy.cv_change", "cv_change")):
            assert same(rec[L(header)], e[column])
        assert rec[L("yoy.status")] == status_word(e["status"], "zh")
        assert rec[L("yoy.previous_status")] == status_word(e["previous_status"], "zh")
    printed = html["cv_change"].records()
    stage = None
    for rec in printed:
        stage = rec["stage_text"] or stage  # the stage is printed on the first row of its group
        e = by_key[(stage, rec["indicator"])]
        expected = half_up(e["cv_change"], 3)
        assert rec["cv_change"] == (expected if expected.startswith("-") or Decimal(expected) == 0 else "+" + expected)


def test_theil_decomposition_equals_county_inequality(book, con, html):
    ineq = rows(con, "SELECT * FROM marts.county_inequality WHERE county_code = ? AND year = ?", [COUNTY, YEAR])
    got = book[L("ineq.table")].records()
    assert len(got) == len(ineq) == 14
    by_key = {(stage_zh(r["stage"]), r["indicator"]): r for r in ineq}
    for rec in got:
        e = by_key[(rec[L("col.stage")], rec[L("col.code")])]
        for header, column in (
            ("ineq.theil", "theil"),
            ("ineq.theil_between", "theil_between"),
            ("ineq.theil_within", "theil_within"),
            ("ineq.gini", "gini"),
            ("ineq.mcloone", "mcloone"),
            ("ineq.n_units", "n_units"),
        ):
            assert same(rec[L(header)], e[column])


def test_workbook_displays_what_the_html_prints(demo_reports):
    """Every table: same title, columns and rows, and each workbook cell shown with its format equals the HTML text."""
    for lang in ("zh", "en"):
        files = demo_reports[(COUNTY, lang)]
        book = read_workbook(files.xlsx)
        tables = {t.title: t for t in read_html(files.html)[0].values()}
        assert set(book) == set(tables) and len(book) >= 14
        for title, sheet in book.items():
            table = tables[title]
            assert [h for _, h in table.headers] == sheet.headers, title
            assert len(table.rows) == len(sheet.rows), title
            for i, (row, formats, printed) in enumerate(zip(sheet.rows, sheet.formats, table.rows)):
                for value, fmt, (col_key, text, css) in zip(row, formats, printed):
                    if text == "" and "cont" in css.split():
                        continue  # a group's label, printed on its first row only in the HTML
                    if value is None:
                        assert text in ("—", ""), (title, i, col_key, text)
                    else:
                        assert excel_text(value, fmt) == text, (title, i, col_key, value, fmt, text)
