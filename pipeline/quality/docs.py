"""The data docs: a static HTML site of the last validation of every suite and year.

Built from `audit.quality_results` (so it always shows what is stored), in
the folder the caller gives (e.g. `warehouse/quality_docs/`):

- `index.html`: our overview for people: per year, each suite's errors and
  warnings, every failed expectation with what is wrong and how to fix the
  file (English and Chinese) and sample rows with file and row number, then
  every expectation that was checked;
- `gx/`: Great Expectations' own Data Docs (validation pages rendered by
  GX's SiteBuilder from the same results, SQL-evaluated ones included),
  linked from the overview.
"""

from __future__ import annotations

import html
import logging
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.quality.failures import observed_text
from pipeline.quality.results import ExpectationResult, load_results

log = logging.getLogger(__name__)
GX_SITE = "gx"


def build_docs(con: duckdb.DuckDBPyConnection, docs_dir: Path | str, *, gx_site: bool = True) -> Path:
    """Write the site for the latest results of each suite and year; returns the path of index.html."""
    docs_dir = Path(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    results = load_results(con, latest=True)
    groups: dict[tuple[int, str], list[ExpectationResult]] = defaultdict(list)
    for r in results:
        groups[(r.year, r.suite)].append(r)
    links: dict[tuple[int, str], str] = {}
    if gx_site and groups:
        try:
            links = _build_gx_site(groups, docs_dir / GX_SITE)
        except Exception:  # the overview must not depend on GX's renderer
            log.exception("Great Expectations data docs could not be built; writing the overview only")
    index = docs_dir / "index.html"
    index.write_text(_overview(groups, links), encoding="utf-8")
    return index


# --------------------------------------------------------------------------- GX's Data Docs


def _validation_result(rows: list[ExpectationResult]):
    from great_expectations import __version__ as gx_version
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    first = rows[0]
    items = []
    for r in rows:
        config = r.expectation_config or {"type": r.expectation_type, "kwargs": {}, "meta": {}}
        items.append(
            ExpectationValidationResult(
                success=r.success,
                expectation_config=ExpectationConfiguration(
                    type=config["type"],
                    kwargs=config.get("kwargs") or {},
                    meta={**(config.get("meta") or {}), "engine": r.engine},
                    severity="critical" if r.severity == "error" else "warning",
                ),
                result=r.details or {},
                exception_info={
                    "raised_exception": bool(r.exception),
                    "exception_message": r.exception,
                    "exception_traceback": None,
                },
            )
        )
    passed = sum(r.success for r in rows)
    run_id = RunIdentifier(run_name=first.run_id, run_time=first.evaluated_at)
    return ExpectationSuiteValidationResult(
        success=all(r.success or r.severity != "error" for r in rows),
        results=items,
        suite_name=first.suite,
        statistics={
            "evaluated_expectations": len(rows),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(rows) - passed,
            "success_percent": 100.0 * passed / len(rows),
        },
        meta={
            "run_id": run_id,
            "validation_time": first.evaluated_at.isoformat(),
            "active_batch_definition": {
                "datasource_name": "warehouse",
                "data_connector_name": "fluent",
                "data_asset_name": first.table_name,
                "batch_identifiers": {"year": first.year},
            },
            "batch_kwargs": {"data_asset_name": first.table_name},
            "batch_spec": {"data_asset_name": first.table_name, "year": first.year},
            "batch_markers": {"table": first.table_name, "year": first.year},
            "great_expectations_version": gx_version,
        },
    ), run_id


def _build_gx_site(
    groups: dict[tuple[int, str], list[ExpectationResult]], site_dir: Path
) -> dict[tuple[int, str], str]:
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from pipeline.quality.gx_engine import context

    ctx = context()
    site_name = "census_quality_gates"
    if site_name in ctx.list_data_docs_sites():
        ctx.delete_data_docs_site(site_name)
    ctx.add_data_docs_site(
        site_name,
        {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    store = ctx.validation_results_store
    for key in list(store.list_keys()):
        store.remove_key(key)
    links, keep = {}, set()
    for (year, suite), rows in sorted(groups.items()):
        result, run_id = _validation_result(rows)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite),
            run_id=run_id,
            batch_identifier=str(year),
        )
        store.set(key, result)
        parts = key.to_tuple()
        links[(year, suite)] = f"{GX_SITE}/validations/" + "/".join(parts) + ".html"
        keep.add(parts[:2])
    ctx.build_data_docs(site_names=[site_name])
    # Pages of older runs are superseded: keep the site to the last validation of each suite and year.
    validations = site_dir / "validations"
    if validations.is_dir():
        for suite_dir in validations.iterdir():
            for run_dir in suite_dir.iterdir() if suite_dir.is_dir() else []:
                if (suite_dir.name, run_dir.name) not in keep:
                    shutil.rmtree(run_dir, ignore_errors=True)
    return links


# --------------------------------------------------------------------------- our overview

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:75em}
h1{font-size:1.5em} h2{margin-top:2em;border-bottom:1px solid #ccc} h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f4f4f4} .error{color:#b00020;font-weight:bold} .warn{color:#a15c00;font-weight:bold} .pass{color:#1b7f3b}
.zh{color:#555} .muted{color:#777;font-size:.9em} code{background:#f4f4f4;padding:0 .2em}
details{margin:.4em 0} .failure{border-left:4px solid #b00020;padding:.2em .8em;margin:1em 0}
.failure.warnbox{border-left-color:#a15c00}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _overview(groups: dict[tuple[int, str], list[ExpectationResult]], links: dict[tuple[int, str], str]) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Data-quality gates · 数据质量检查</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Data-quality gates of the census warehouse · 数据质量检查</h1>",
        f"<p class='muted'>The last validation of every suite and year, from <code>audit.quality_results</code>; "
        f"built {now}. <span class='error'>error</span> expectations block the year (its marts are not rebuilt); "
        f"<span class='warn'>warn</span> ones are reported only. Suites: <code>expectations/*.yml</code>."
        + (f" Great Expectations' own pages: <a href='{GX_SITE}/index.html'>GX Data Docs</a>." if links else "")
        + "</p>",
    ]
    if not groups:
        out.append("<p>No validation has been stored yet.</p></body></html>")
        return "\n".join(out)
    years = sorted({y for y, _ in groups}, reverse=True)
    for year in years:
        suites = sorted((s for y, s in groups if y == year), key=lambda s: (not s.startswith("raw_"), s))
        rows = [r for s in suites for r in groups[(year, s)]]
        n_err = sum(r.blocking for r in rows)
        n_warn = sum(not r.success and r.severity == "warn" for r in rows)
        verdict = (
            f"<span class='error'>blocked: {n_err} error(s)</span>" if n_err else "<span class='pass'>passes</span>"
        )
        out.append(f"<h2 id='y{year}'>Census year {year}: {verdict}, {n_warn} warning(s)</h2>")
        out.append(
            "<table><tr><th>suite</th><th>table</th><th>expectations</th><th>errors</th><th>warnings</th>"
            "<th>run</th><th>validated</th><th>GX page</th></tr>"
        )
        for suite in suites:
            items = groups[(year, suite)]
            errs = sum(r.blocking for r in items)
            warns = sum(not r.success and r.severity == "warn" for r in items)
            link = links.get((year, suite))
            link_html = f"<a href='{_e(link)}'>open</a>" if link else ""
            out.append(
                f"<tr><td><a href='#{year}-{_e(suite)}'>{_e(suite)}</a></td><td>{_e(items[0].table_name)}</td>"
                f"<td>{len(items)}</td><td class='{'error' if errs else 'pass'}'>{errs}</td>"
                f"<td class='{'warn' if warns else 'pass'}'>{warns}</td><td class='muted'>{_e(items[0].run_id)}</td>"
                f"<td class='muted'>{_e(items[0].evaluated_at.strftime('%Y-%m-%d %H:%M'))}</td>"
                f"<td>{link_html}</td></tr>"
            )
        out.append("</table>")
        for suite in suites:
            items = groups[(year, suite)]
            out.append(f"<h3 id='{year}-{_e(suite)}'>{_e(suite)} · {_e(items[0].table_name)} · {year}</h3>")
            for r in [r for r in items if not r.success]:
                out.append(_failure_html(r))
            out.append(
                "<details><summary>All expectations of the suite</summary><table>"
                "<tr><th></th><th>expectation</th><th>severity</th><th>engine</th><th>observed</th><th>what it checks</th></tr>"
            )
            for r in items:
                mark = "<span class='pass'>✓</span>" if r.success else f"<span class='{r.severity}'>✗</span>"
                out.append(
                    f"<tr><td>{mark}</td><td><code>{_e(r.expectation)}</code><br><span class='muted'>{_e(r.expectation_type)}</span></td>"
                    f"<td class='{r.severity}'>{_e(r.severity)}</td><td>{_e(r.engine)}</td><td>{_e(observed_text(r))}</td>"
                    f"<td>{_e(r.description)}<br><span class='zh'>{_e(r.description_zh)}</span></td></tr>"
                )
            out.append("</table></details>")
    out.append("</body></html>")
    return "\n".join(out)


def _failure_html(r: ExpectationResult) -> str:
    box = "failure" if r.severity == "error" else "failure warnbox"
    parts = [
        f"<div class='{box}'><p><span class='{r.severity}'>{_e(r.severity.upper())}</span> "
        f"<code>{_e(r.expectation)}</code> on <code>{_e(r.table_name)}</code> {r.year}: {_e(observed_text(r))}</p>",
        f"<p>{_e(r.description)}</p>",
    ]
    if r.description_zh:
        parts.append(f"<p class='zh'>{_e(r.description_zh)}</p>")
    if r.sample_rows:
        columns = list(dict.fromkeys(k for row in r.sample_rows for k in row))
        parts.append("<table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in columns) + "</tr>")
        for row in r.sample_rows:
            parts.append("<tr>" + "".join(f"<td>{_e(row.get(c))}</td>" for c in columns) + "</tr>")
        parts.append("</table>")
        if (r.unexpected_count or 0) > len(r.sample_rows):
            parts.append(f"<p class='muted'>First {len(r.sample_rows)} of {r.unexpected_count:,} rows.</p>")
    parts.append("</div>")
    return "\n".join(parts)
