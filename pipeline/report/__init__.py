"""The county self-assessment report (自查自评报告), generated from the warehouse's marts.

    import duckdb
    from pipeline.report import write_county_report

    con = duckdb.connect("warehouse/equity.duckdb", read_only=True)
    files = write_county_report(con, "539901", 2024, Path("reports"))          # Chinese
    files = write_county_report(con, "539901", 2024, Path("reports"), lang="en")

    from pipeline.report.batch import write_reports
    all_files = write_reports("warehouse/equity.duckdb", 2024, Path("reports"))  # every county, a process per core

Each report is a self-contained HTML file (inline CSS and SVG charts, no script, no external
resource: it opens offline) and an XLSX workbook with the same tables, named
`report_<county>_<year>_<lang>.html` / `.xlsx`. Every figure is read from the `marts` tables
(see sections.py); nothing is recomputed.

Layout: labels.py (every word), format.py (printing numbers), sections.py (reading the marts
into sections; the extension point for later sections), remediation.py (the remediation
plan section), charts.py (altair → SVG),
html.py + templates/ (the page), xlsx.py (the workbook), batch.py (a year's reports in parallel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.report.context import ReportContext, SectionBuilder
from pipeline.report.html import render_html
from pipeline.report.labels import LANGS
from pipeline.report.model import Report, ReportError, Section
from pipeline.report.sections import DEFAULT_SECTIONS
from pipeline.report.xlsx import write_workbook

__all__ = [
    "DEFAULT_SECTIONS",
    "LANGS",
    "Report",
    "ReportContext",
    "ReportError",
    "ReportFiles",
    "Section",
    "SectionBuilder",
    "build_report",
    "counties_of",
    "report_stem",
    "write_county_report",
    "years_of",
]


@dataclass(frozen=True)
class ReportFiles:
    county_code: str
    year: int
    lang: str
    html: Path
    xlsx: Path


def report_stem(county_code: str, year: int, lang: str) -> str:
    return f"report_{county_code}_{year}_{lang}"


def counties_of(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The counties assessed in `year` (those with a row in marts.county_summary)."""
    return [
        r[0]
        for r in con.execute(
            "SELECT county_code FROM marts.county_summary WHERE year = ? ORDER BY county_code", [year]
        ).fetchall()
    ]


def years_of(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The census years the warehouse holds (those with rows in marts.county_summary)."""
    return [r[0] for r in con.execute("SELECT DISTINCT year FROM marts.county_summary ORDER BY year").fetchall()]


def _provenance(ctx: ReportContext) -> list[tuple[str, str]]:
    meta: list[tuple[str, str]] = []
    db = ctx.rows("SELECT file FROM pragma_database_list WHERE name = current_database()")
    if db and db[0]["file"]:
        meta.append((ctx.L("doc.source"), ctx.L("doc.source_text", database=Path(db[0]["file"]).name)))
    if ctx.columns_of("audit", "loads") >= {"year", "loaded_at"}:
        loaded = ctx.rows("SELECT max(loaded_at) AS at FROM audit.loads WHERE year = ?", [ctx.year])
        if loaded and loaded[0]["at"] is not None:
            at = loaded[0]["at"]
            text = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(at, datetime) else str(at)
            meta.append((ctx.L("doc.loaded"), text))
    return meta


def build_report(
    con: duckdb.DuckDBPyConnection,
    county_code: str,
    year: int,
    lang: str = "zh",
    sections: Sequence[SectionBuilder] = DEFAULT_SECTIONS,
    generated_at: datetime | None = None,
) -> Report:
    """The report's content (sections of tables and charts) for one county and year, read from the marts."""
    ctx = ReportContext(con, str(county_code), int(year), lang)
    summary = ctx.summary  # raises LookupError when the county has no row for the year
    generated_at = generated_at or datetime.now(UTC)
    built = [s for s in (builder(ctx) for builder in sections) if s is not None]
    county_name = summary["county_name"] or ctx.county_code
    meta = [
        (ctx.L("doc.county"), county_name + ctx.paren(ctx.county_code)),
        (ctx.L("doc.year"), str(ctx.year)),
        (ctx.L("doc.generated"), generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        *_provenance(ctx),
    ]
    return Report(
        county_code=ctx.county_code,
        county_name=county_name,
        year=ctx.year,
        lang=lang,
        title=ctx.L("doc.title"),
        subtitle=ctx.L("doc.subtitle", year=ctx.year),
        meta=meta,
        sections=built,
        notes=[ctx.L("notes.units"), ctx.L("notes.precision"), ctx.L("notes.statuses"), ctx.L("doc.page_note")],
        basis=f"{ctx.L('doc.basis')}{ctx.colon}{ctx.L('doc.basis_text')}",
        county_label=county_name + ctx.paren(ctx.county_code),
    )


def write_county_report(
    con: duckdb.DuckDBPyConnection,
    county_code: str,
    year: int,
    out_dir: Path | str,
    lang: str = "zh",
    *,
    sections: Sequence[SectionBuilder] = DEFAULT_SECTIONS,
    generated_at: datetime | None = None,
) -> ReportFiles:
    """Write `report_<county>_<year>_<lang>.html` and `.xlsx` into `out_dir`; return their paths.

    `con`: a (read-only) connection to the published warehouse. Raises LookupError when the
    county has no row in marts.county_summary for the year, ValueError for an unknown language,
    ReportError (naming the county and year) when the page or the workbook cannot be written.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: expected one of {LANGS}")
    generated_at = generated_at or datetime.now(UTC)
    report = build_report(con, county_code, year, lang, sections, generated_at)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report.county_code, report.year, lang)
    html_path, xlsx_path = out / f"{stem}.html", out / f"{stem}.xlsx"
    try:
        html = render_html(report)
        tmp = out / f"{stem}.tmp.xlsx"
        write_workbook(report, tmp, generated_at)
    except Exception as error:
        zh, en = (error.zh, error.en) if isinstance(error, ReportError) else ("", str(error))
        raise ReportError(
            f"县 {report.county_code} {report.year} 的报告无法生成{'：' + zh if zh else ''}",
            f"the report of county {report.county_code} {report.year} cannot be written: {en}",
        ) from error
    html_path.with_suffix(".html.tmp").write_text(html, encoding="utf-8")
    html_path.with_suffix(".html.tmp").replace(html_path)
    tmp.replace(xlsx_path)
    return ReportFiles(report.county_code, report.year, lang, html_path, xlsx_path)
