"""The report as one self-contained HTML file: inline CSS, inline SVG charts, no script, no fetch.

Every value the template prints is escaped (autoescape) and has its control characters shown
(`visible_controls`): a name from the data is text on the page, whatever it holds.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.report.format import visible_controls
from pipeline.report.labels import label
from pipeline.report.model import STATUS_CLASSES, Chart, Paragraph, Report, Table, Verdict

HTML_LANG = {"zh": "zh-CN", "en": "en"}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("pipeline.report").joinpath("templates", name).read_text("utf-8")
        ),
        autoescape=True,
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
        finalize=_shown,
    )


def _shown(value: Any) -> Any:
    """A printed value as the page shows it: text with its control characters visible; markup (CSS, SVG) as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_controls(value)
    return value


@lru_cache(maxsize=1)
def _css() -> str:
    return resources.files("pipeline.report").joinpath("templates", "report.css").read_text("utf-8")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _table_view(t: Table) -> dict[str, Any]:
    rows = []
    group_index, last_group = 0, object()
    texts = [[t.text(row, c) for c in t.columns] for row in t.rows]
    # short columns (codes, names, stages, statuses, figures) never wrap; long headers do
    nowrap = [max((_display_width(x[j]) for x in texts), default=0) <= 30 for j in range(len(t.columns))]
    columns = [
        {"key": c.key, "label": c.label, "css": "nw" if _display_width(c.label) <= 10 else ""} for c in t.columns
    ]
    for i, row in enumerate(t.rows):
        first_of_group = True
        if t.group_key is not None:
            if row.get(t.group_key) != last_group:
                group_index += 1
                last_group = row.get(t.group_key)
            else:
                first_of_group = False
        cells = []
        for j, c in enumerate(t.columns):
            css = []
            if c.is_numeric or t.fmt(row, c) != "text":
                css.append("num")
            if nowrap[j]:
                css.append("nw")
            st = t.status(row, c)
            if st in STATUS_CLASSES:
                css.append(f"st-{st}")
            text = texts[i][j]
            if c.group_label and not first_of_group:
                text, css = "", [*css, "cont"]
            cells.append({"key": c.key, "text": text, "css": " ".join(css)})
        row_css = [row.get("_class") or ""]
        if t.group_key is not None and group_index % 2 == 0:
            row_css.append("g1")
        rows.append({"cells": cells, "css": " ".join(c for c in row_css if c)})
    return {
        "kind": "table",
        "key": t.key,
        "title": t.title,
        "columns": columns,
        "rows": rows,
        "note": t.note,
        "empty_text": t.empty_text,
        "compact": t.compact,
        "kv": len(t.columns) == 2 and t.compact,
    }


def _block_views(blocks: list[Any]) -> list[dict[str, Any]]:
    views: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for b in blocks:
        if isinstance(b, Table) and b.side_by_side:
            pending.append(_table_view(b))
            if len(pending) == 2:
                views.append({"kind": "pair", "tables": pending})
                pending = []
            continue
        if pending:
            views.extend(pending)
            pending = []
        if isinstance(b, Table):
            views.append(_table_view(b))
        elif isinstance(b, Chart):
            views.append(
                {
                    "kind": "chart",
                    "key": b.key,
                    "title": b.title,
                    "svg": Markup(b.svg),
                    "note": b.note,
                    "legend": b.legend,
                }
            )
        elif isinstance(b, Verdict):
            views.append({"kind": "verdict", "status": b.status, "title": b.title, "text": b.text, "lines": b.lines})
        elif isinstance(b, Paragraph):
            views.append({"kind": "paragraph", "text": b.text, "css": b.css})
        else:
            raise TypeError(f"unknown block {type(b).__name__}")
    views.extend(pending)
    return views


def render_html(report: Report, footer: str = "") -> str:
    lang = report.lang
    sections = [{"key": s.key, "title": s.title, "blocks": _block_views(s.blocks)} for s in report.sections]
    html = (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            sections=sections,
            css=Markup(_css()),
            html_lang=HTML_LANG[lang],
            contents_label=label("doc.contents", lang),
            notes_title=label("sec.notes", lang),
            sign={
                "title": label("sign.title", lang),
                "labels": [
                    label(k, lang) for k in ("sign.unit", "sign.head", "sign.preparer", "sign.phone", "sign.date")
                ],
            },
            footer=footer or label("doc.page_note", lang),
        )
    )
    return html.lstrip()
