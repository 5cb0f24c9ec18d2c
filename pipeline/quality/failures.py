"""Failures as plain text, for the command line: which expectation, on which table, and sample rows."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pipeline.quality.results import ExpectationResult, SuiteResult


def _flatten(results: Iterable[SuiteResult | ExpectationResult]) -> list[ExpectationResult]:
    out: list[ExpectationResult] = []
    for item in results:
        out.extend(item.results if isinstance(item, SuiteResult) else [item])
    return out


def locate(row: dict[str, Any]) -> str:
    """`2024/classes.csv row 12` (with the sheet of an XLSX), or '' when the row has no file."""
    file = row.get("source_file")
    if not file:
        return ""
    where = str(file)
    if row.get("source_sheet"):
        where += f" [{row['source_sheet']}]"
    if row.get("source_row") is not None:
        where += f" row {row['source_row']}"
    return where


def format_row(row: dict[str, Any]) -> str:
    where = locate(row)
    rest = ", ".join(
        f"{k}={_short(v)}" for k, v in row.items() if k not in ("source_file", "source_sheet", "source_row")
    )
    return f"{where}: {rest}" if where and rest else (where or rest)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def observed_text(result: ExpectationResult) -> str:
    if result.exception:
        return f"could not be evaluated: {result.exception}"
    if result.unexpected_count is not None and result.element_count is not None:
        pct = 100.0 * result.unexpected_count / result.element_count if result.element_count else 0.0
        return f"{result.unexpected_count:,} of {result.element_count:,} rows ({pct:.2f} %)"
    if result.expectation_type == "unexpected_rows_expectation":
        return f"{result.unexpected_count or 0:,} offending row(s)"
    return f"observed {_short(result.observed_value)}"


def render_failures(
    results: Iterable[SuiteResult | ExpectationResult],
    *,
    samples: int = 5,
    include_warnings: bool = True,
    chinese: bool = True,
) -> str:
    """Every failed expectation: severity, table and year, what is wrong and how to fix it, sample rows.

    Errors first (they block the year), then warnings. Returns '' when nothing failed.
    """
    failed = [r for r in _flatten(results) if not r.success and (include_warnings or r.severity == "error")]
    if not failed:
        return ""
    failed.sort(key=lambda r: (r.severity != "error", r.year, r.table_name, r.position))
    lines = []
    errors = sum(r.severity == "error" for r in failed)
    warnings = len(failed) - errors
    lines.append(f"Data-quality gates: {errors} error(s) (block the year), {warnings} warning(s)")
    for r in failed:
        label = "ERROR" if r.severity == "error" else "WARN "
        lines.append("")
        lines.append(f"{label} {r.table_name} {r.year}  {r.suite}.{r.expectation}  ({observed_text(r)})")
        if r.description:
            lines.append(f"      {r.description}")
        if chinese and r.description_zh:
            lines.append(f"      {r.description_zh}")
        for row in r.sample_rows[:samples]:
            lines.append(f"        - {format_row(row)}")
        more = (r.unexpected_count or 0) - min(samples, len(r.sample_rows))
        if r.sample_rows and more > 0:
            lines.append(f"        … and {more:,} more")
    return "\n".join(lines)
