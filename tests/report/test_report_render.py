"""The report as a reader gets it: self-contained HTML that Chromium renders without error or request,
English as well as Chinese, edge cases of the marts, the section extension point, and speed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from report_browser import Browser, ensure_chromium
from report_helpers import L, read_html, read_workbook, rows

from pipeline.report import DEFAULT_SECTIONS, build_report, charts, write_county_report
from pipeline.report.batch import write_reports
from pipeline.report.context import ReportContext
from pipeline.report.format import format_value
from pipeline.report.model import Column, Section, Table

COUNTY, YEAR = "539901", 2024


# ----------------------------------------------------------------------------------------------
# Self-contained: nothing to fetch
# ----------------------------------------------------------------------------------------------


def test_html_references_nothing_outside_itself(demo_reports):
    for files in demo_reports.values():
        text = files.html.read_text(encoding="utf-8")
        _, tags = read_html(files.html)
        names = {t for t, _ in tags}
        assert not names & {"script", "link", "iframe", "object", "embed", "img", "video", "audio", "base"}, names
        for tag, attrs in tags:
            for attr in ("src", "srcset", "data", "action", "poster"):
                assert attr not in attrs, (tag, attrs)
            for attr in ("href", "xlink:href"):
                if attr in attrs:
                    assert attrs[attr].startswith("#"), (tag, attrs)  # in-page anchors and SVG references only
        assert "@import" not in text and "@font-face" not in text
        assert not re.search(r"url\((?!#)", text), "a CSS url() outside the page"
        assert "Content-Security-Policy" in text and "default-src 'none'" in text
        assert files.html.stat().st_size < 1_500_000


def test_headless_chromium_renders_without_errors_or_requests(demo_reports, tmp_path):
    ensure_chromium()
    with Browser(tmp_path / "profile") as browser:
        for lang in ("zh", "en"):
            files = demo_reports[(COUNTY, lang)]
            shot = tmp_path / f"report_{COUNTY}_{YEAR}_{lang}.png"
            page = browser.load(files.html, screenshot=shot)
            assert page.console_errors == [], page.console_errors
            assert page.requests == [], page.requests
            assert page.title.startswith("明湖区 2024")
            assert page.height > 5000 and page.width >= 1000
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
        pdf = browser.pdf(demo_reports[(COUNTY, "zh")].html, tmp_path / "report.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    print(f"\nscreenshots and PDF of the {COUNTY} {YEAR} report: {tmp_path}")


# ----------------------------------------------------------------------------------------------
# Languages
# ----------------------------------------------------------------------------------------------


def test_english_report_uses_english_words_and_the_reference_names(demo_reports, con):
    files = demo_reports[(COUNTY, "en")]
    text = files.html.read_text(encoding="utf-8")
    assert '<html lang="en">' in text
    assert L("doc.title", "en") in text and L("doc.title", "zh") not in text
    book = read_workbook(files.xlsx)
    resource = book[L("res.table", "en")].records()
    names = {r["indicator"]: r["name_en"] for r in rows(con, "SELECT indicator, name_en FROM reference.indicators")}
    assert resource[0][L("col.indicator", "en")] == names["R1"]
    assert {r[L("col.stage", "en")] for r in resource} == {"primary", "junior secondary"}
    assert {r[L("res.cv_status", "en")] for r in resource} <= {"met", "not met", "no data"}


def test_unknown_language_or_county_is_refused(con, tmp_path):
    with pytest.raises(ValueError, match="language"):
        write_county_report(con, COUNTY, YEAR, tmp_path, lang="fr")
    with pytest.raises(LookupError, match="999999"):
        write_county_report(con, "999999", YEAR, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_reports_of_a_year_and_of_chosen_counties(demo_warehouse, tmp_path):
    files = write_reports(demo_warehouse, 2023, tmp_path, "zh", counties=["539902"])
    assert [(f.county_code, f.year, f.lang) for f in files] == [("539902", 2023, "zh")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report_539902_2023_zh.html", "report_539902_2023_zh.xlsx"]
    tables, _ = read_html(files[0].html)
    assert tables["cv_change"].records()[0]["previous_cv"] == "—"  # 2022 is not in the warehouse


# ----------------------------------------------------------------------------------------------
# Edge cases of the marts, planted on a copy of the demo warehouse
# ----------------------------------------------------------------------------------------------


def test_missing_figures_borderline_and_no_data_are_shown_not_invented(planted, tmp_path):
    con = planted(
        f"UPDATE marts.county_cv SET cv = NULL, cv_unweighted = NULL, status = 'no_data', detail = 'no evaluated unit with a value' "
        f"WHERE county_code = '{COUNTY}' AND year = {YEAR} AND stage = 'primary' AND indicator = 'R7'",
        f"UPDATE marts.county_cv SET detail = 'borderline: |CV - limit| < 0.0005' "
        f"WHERE county_code = '{COUNTY}' AND year = {YEAR} AND stage = 'primary' AND indicator = 'R1'",
        f"DELETE FROM marts.county_cv WHERE county_code = '{COUNTY}' AND year = {YEAR - 1}",
        f"DELETE FROM marts.class_size_violations WHERE county_code = '{COUNTY}' AND year = {YEAR}",
        f"DELETE FROM marts.school_size_violations WHERE county_code = '{COUNTY}' AND year = {YEAR}",
        f"UPDATE marts.county_summary SET veto = NULL WHERE county_code = '{COUNTY}' AND year = {YEAR}",
    )
    files = write_county_report(con, COUNTY, YEAR, tmp_path)
    tables, _ = read_html(files.html)
    resource = tables["resource"].records()
    css = tables["resource"].classes()
    r1 = next(i for i, r in enumerate(resource) if r["indicator"] == "R1")
    assert resource[r1]["borderline_text"] == L("res.borderline")
    r7 = next(i for i, r in enumerate(resource) if r["indicator"] == "R7")
    assert resource[r7]["cv"] == "—" and "st-no_data" in css[r7]["cv"] and resource[r7]["cv_status_text"] == "无数据"
    yoy = tables["cv_change"].records()
    assert all(r["previous_cv"] == "—" and r["cv_change"] == "—" for r in yoy)
    assert "class_violations" not in tables and "school_violations" not in tables  # empty: a sentence instead
    html = files.html.read_text(encoding="utf-8")
    assert L("vio.none_classes") in html and L("vio.none_schools") in html and L("yoy.no_previous") in html
    areas = {r["area"]: r["result"] for r in tables["areas"].records()}
    assert areas[L("area.veto")] == L("veto.null")
    book = read_workbook(files.xlsx)
    assert book[L("vio.classes")].rows == []


def test_names_from_the_data_are_text_in_both_files(planted, tmp_path):
    """A school name is escaped in the HTML and never becomes a formula in the workbook."""
    name = '=HYPERLINK("http://example.invalid")<b>x</b>'
    con = planted(
        f"UPDATE marts.dim_school SET school_name = '{name.replace(chr(39), chr(39) * 2)}' "
        f"WHERE year = {YEAR} AND school_id = '0530018192'"
    )
    files = write_county_report(con, COUNTY, YEAR, tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    from openpyxl import load_workbook

    wb = load_workbook(files.xlsx)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_county_with_one_stage(planted, tmp_path):
    where = f"county_code = '{COUNTY}' AND year = {YEAR} AND stage = 'junior'"
    con = planted(
        *(
            f"DELETE FROM marts.{t} WHERE {where}"
            for t in (
                "county_cv",
                "school_stage_summary",
                "school_stage_indicators",
                "county_inequality",
                "class_size_violations",
            )
        ),
        f"DELETE FROM marts.county_assessment WHERE {where} AND indicator LIKE 'R%'",
    )
    files = write_county_report(con, COUNTY, YEAR, tmp_path)
    tables, _ = read_html(files.html)
    assert {r["stage_text"] for r in tables["resource"].records()} == {"小学"}
    assert "schools_junior" not in tables and "schools_primary" in tables
    assert L("sch.none") in files.html.read_text(encoding="utf-8")


def test_a_warehouse_without_units_met_gets_blanks_never_a_computed_figure(planted, tmp_path):
    """A warehouse built before county_cv held units_met / units_met_share: the report leaves them
    blank and names the missing columns, rather than computing them itself."""
    con = planted(
        "ALTER TABLE marts.county_cv DROP COLUMN units_met",
        "ALTER TABLE marts.county_cv DROP COLUMN units_met_share",
    )
    files = write_county_report(con, COUNTY, YEAR, tmp_path)
    sheet = read_workbook(files.xlsx)[L("res.table")]
    for rec in sheet.records():
        assert rec[L("res.units_met")] is None and rec[L("res.units_met_share")] is None
    assert "county_cv.units_met" in files.html.read_text(encoding="utf-8")
    tables, _ = read_html(files.html)
    assert tables["resource"].records()[0]["units_met"] == "—"


# ----------------------------------------------------------------------------------------------
# Extension point, charts, formats, speed
# ----------------------------------------------------------------------------------------------


def test_a_later_section_plugs_in_as_one_more_builder(con, tmp_path):
    def school_count_section(ctx: ReportContext) -> Section:
        found = ctx.county_rows("SELECT count(*) AS schools FROM marts.dim_school WHERE county_code = ? AND year = ?")
        table = Table(
            key="school_count", title="学校数", sheet="学校数", columns=[Column("schools", "学校数", "int")], rows=found
        )
        return Section("school_count", "附、学校数", [table])

    files = write_county_report(con, COUNTY, YEAR, tmp_path, sections=(*DEFAULT_SECTIONS, school_count_section))
    tables, _ = read_html(files.html)
    assert tables["school_count"].records() == [{"schools": "28"}]
    assert 'id="s-school_count"' in files.html.read_text(encoding="utf-8")
    assert read_workbook(files.xlsx)["学校数"].rows == [[28]]


def test_chart_specs_are_valid_vega_lite(con):
    ctx = ReportContext(con, COUNTY, YEAR, "zh")
    cv = ctx.county_rows("SELECT * FROM marts.county_cv WHERE county_code = ? AND year = ?")
    units = ctx.county_rows("SELECT * FROM marts.school_stage_indicators WHERE county_code = ? AND year = ?")
    history = ctx.county_rows("SELECT * FROM marts.county_cv WHERE county_code = ? AND year <= ?")
    ineq = ctx.county_rows("SELECT * FROM marts.county_inequality WHERE county_code = ? AND year = ?")
    for spec in (
        charts.cv_chart(cv, ctx.stages),
        charts.distribution_chart(units, ctx.stages),
        charts.trend_chart(history, ctx.stages),
        charts.theil_chart(ineq, ctx.stages),
    ):
        assert spec is not None
        spec.to_dict(validate=True)
        svg = charts.to_svg(spec)
        assert svg.startswith("<svg") and "<script" not in svg and 'href="http' not in svg
    assert charts.cv_chart([], ctx.stages) is None and charts.to_svg(None) == ""


@pytest.mark.parametrize(
    "value,fmt,printed",
    [
        (2.675, "value2", "2.68"),
        (0.0805, "cv3", "0.081"),
        (0.08049, "cv3", "0.080"),
        (2997.689938, "mean2", "2997.69"),
        (0.35294117647058826, "pct1", "35.3%"),
        (1.0, "pct1", "100.0%"),
        (0.9540000000000001, "pct1", "95.4%"),
        (0.5, "limit2", "0.50"),
        (4.2, "std", "4.2"),
        (2000.0, "std", "2000"),
        (10.2, "std", "10.2"),
        (-0.0004, "signed3", "0.000"),
        (0.0168, "signed3", "+0.017"),
        (-0.0417, "signed3", "-0.042"),
        (35243, "int", "35243"),
        (None, "cv3", "—"),
        (0.0000209, "dec5", "0.00002"),
    ],
)
def test_numbers_print_as_the_forms_print_them(value, fmt, printed):
    assert format_value(value, fmt) == printed


def test_one_county_report_takes_well_under_a_few_seconds(con, tmp_path):
    write_county_report(con, COUNTY, YEAR, tmp_path / "warm")  # the chart renderer starts once per process
    started = time.perf_counter()
    write_county_report(con, "539902", YEAR, tmp_path)
    elapsed = time.perf_counter() - started
    print(f"\none county report (HTML + XLSX): {elapsed:.2f} s")
    assert elapsed < 4.0


def test_report_content_is_built_from_the_marts_only(con):
    """The report reads schema `marts` (and the `reference` seeds for names, `audit.loads` for the load time)."""
    report = build_report(con, COUNTY, YEAR)
    source = Path(__file__).resolve().parents[2] / "pipeline" / "report"
    for path in source.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for schema in re.findall(r"\b(?:FROM|JOIN)\s+([a-z_]+)\.", text):
            assert schema in ("marts", "reference", "audit", "information_schema"), (path.name, schema)
    assert [s.key for s in report.sections] == [
        "summary",
        "resource",
        "schools",
        "government",
        "violations",
        "cv_change",
        "inequality",
        "remediation",
    ]
