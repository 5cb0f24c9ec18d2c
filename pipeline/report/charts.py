"""Charts: Vega-Lite specs built with altair, rendered to static SVG by vl-convert (no JavaScript in the report).

The SVG keeps its text as <text> elements, so the reader's browser draws Chinese with its own
fonts; the server needs none. Vega lays text out with the server's font metrics, so the charts
keep their words to codes (R1…R7), numbers and short stage names, centred; longer wording
(titles, legends, explanations) is in the HTML around the chart.

Every chart is drawn from rows the report already read from the marts: nothing is computed
here except positions (the lane of a dot in a strip).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import altair as alt
import vl_convert as vlc

COLORS = {
    "met": "#2e7d32",
    "not_met": "#c62828",
    "no_data": "#9e9e9e",
    "limit": "#c62828",
    "bar": "#5b7fa6",
    "between": "#1f4e79",
    "within": "#9dc3e6",
}
# Browsers pick the first font they have; the SVG carries only the name.
FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", Arial, sans-serif'
INDICATORS = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
INDICATOR_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

_CONFIG: dict[str, Any] = {
    "font": FONT,
    "view": {"stroke": "#cfd8dc"},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleFontWeight": "normal", "gridColor": "#eceff1"},
    "header": {"labelFontSize": 12, "titleFontSize": 12, "labelFontWeight": "bold"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11},
    "title": {"fontSize": 13, "anchor": "middle"},
}

_ids = itertools.count(1)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline-ready SVG: ids made unique in the page, scalable, no external reference."""
    spec = chart.to_dict()
    svg = vlc.vegalite_to_svg(spec, config=_CONFIG, allowed_base_urls=[])
    return scope_ids(svg, f"c{next(_ids)}-")


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (clip paths, gradients) so several inline SVGs in one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"' if m.group(1) in ids else m.group(0), svg)
    return svg


def cv_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> str:
    """Bars: each indicator's weighted CV; red rule: the stage's limit. rows: stage, indicator, cv, cv_limit, status."""
    panels = []
    for stage, stage_name in stages:
        data = [r for r in rows if r["stage"] == stage]
        if not data:
            continue
        values = [{"indicator": r["indicator"], "cv": r["cv"], "status": r["status"],
                   "label": "" if r["cv"] is None else f"{r['cv']:.3f}"} for r in data]
        limit = data[0]["cv_limit"]
        top = max([limit * 1.15] + [(r["cv"] or 0) * 1.1 for r in data])
        base = alt.Chart(alt.Data(values=values))
        x = alt.X("indicator:N", sort=INDICATORS, title=None, axis=alt.Axis(labelAngle=0))
        y = alt.Y("cv:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(format=".2f", tickCount=5))
        bars = base.mark_bar(width=26).encode(
            x=x, y=y,
            color=alt.Color("status:N", scale=alt.Scale(domain=["met", "not_met", "no_data"],
                                                        range=[COLORS["bar"], COLORS["not_met"], COLORS["no_data"]]),
                            legend=None),
        )
        labels = base.mark_text(dy=-6, fontSize=10, color="#37474f").encode(x=x, y=y, text="label:N")
        rule = alt.Chart(alt.Data(values=[{"limit": limit}])).mark_rule(color=COLORS["limit"], strokeWidth=2).encode(y="limit:Q")
        rule_label = alt.Chart(alt.Data(values=[{"limit": limit, "text": f"{limit:.2f}"}])).mark_text(
            align="right", dx=-2, dy=-6, color=COLORS["limit"], fontSize=11, fontWeight="bold", x="width"
        ).encode(y="limit:Q", text="text:N")
        panels.append(alt.layer(bars, labels, rule, rule_label).properties(width=300, height=180, title=stage_name))
    return to_svg(alt.hconcat(*panels, spacing=40)) if panels else ""


def distribution_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> str:
    """Per indicator and stage, one dot per unit on the indicator's own scale; red rule: the standard.

    rows: stage, indicator, school_id, value, standard, status, evaluated.
    """
    grid = []
    for indicator in INDICATORS:
        line = []
        for stage, stage_name in stages:
            data = [r for r in rows if r["stage"] == stage and r["indicator"] == indicator]
            if not data:
                continue
            standard = data[0]["standard"]
            points = []
            for lane, r in enumerate(sorted((r for r in data if r["value"] is not None), key=lambda r: r["value"])):
                points.append({"value": r["value"], "status": r["status"], "lane": lane % 5,
                               "evaluated": bool(r["evaluated"])})
            values = [p["value"] for p in points] + [standard]
            low, high = min(values), max(values)
            pad = (high - low) * 0.06 or abs(high) * 0.1 or 1.0
            x = alt.X("value:Q", title=None, scale=alt.Scale(domain=[max(0.0, low - pad) if low >= 0 else low - pad, high + pad], nice=False, zero=False),
                      axis=alt.Axis(tickCount=5, labelFlush=True))
            y = alt.Y("lane:O", axis=None, scale=alt.Scale(domain=[0, 1, 2, 3, 4]))
            color = alt.Color("status:N", scale=alt.Scale(domain=["met", "not_met"], range=[COLORS["met"], COLORS["not_met"]]), legend=None)
            base = alt.Chart(alt.Data(values=points or [{"value": None, "status": "met", "lane": 0, "evaluated": True}]))
            filled = base.transform_filter("datum.evaluated").mark_circle(size=46, opacity=0.85).encode(x=x, y=y, color=color)
            hollow = base.transform_filter("!datum.evaluated").mark_point(size=46, filled=False, strokeWidth=1.5).encode(x=x, y=y, color=color)
            rule = alt.Chart(alt.Data(values=[{"value": standard}])).mark_rule(color=COLORS["limit"], strokeWidth=2).encode(x="value:Q")
            title = alt.TitleParams(f"{indicator} · {stage_name}", fontSize=12, anchor="middle")
            line.append(alt.layer(rule, filled, hollow).properties(width=300, height=62, title=title))
        if line:
            grid.append(alt.hconcat(*line, spacing=40))
    return to_svg(alt.vconcat(*grid, spacing=14)) if grid else ""


def trend_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> str:
    """Per stage, each indicator's CV over the years; dashed red line: the limit of each year.

    rows: year, stage, indicator, cv, cv_limit.
    """
    years = sorted({r["year"] for r in rows})
    panels = []
    for stage, stage_name in stages:
        data = [{"year": str(r["year"]), "indicator": r["indicator"], "cv": r["cv"]} for r in rows
                if r["stage"] == stage and r["cv"] is not None]
        if not data:
            continue
        limits = sorted({(str(r["year"]), r["cv_limit"]) for r in rows if r["stage"] == stage})
        top = max([lim for _, lim in limits] + [d["cv"] for d in data]) * 1.12
        x = alt.X("year:O", title=None, sort=[str(y) for y in years], axis=alt.Axis(labelAngle=0),
                  scale=alt.Scale(domain=[str(y) for y in years], paddingOuter=0.3))
        y = alt.Y("cv:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(format=".2f", tickCount=5))
        color = alt.Color("indicator:N", scale=alt.Scale(domain=INDICATORS, range=INDICATOR_COLORS),
                          legend=alt.Legend(title=None, orient="right"))
        base = alt.Chart(alt.Data(values=data))
        lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
        points = base.mark_point(filled=True, size=40).encode(x=x, y=y, color=color)
        limit_data = [{"year": yr, "cv": lim} for yr, lim in limits]
        limit = alt.Chart(alt.Data(values=limit_data)).mark_line(color=COLORS["limit"], strokeDash=[6, 4], strokeWidth=2).encode(x=x, y="cv:Q")
        limit_pts = alt.Chart(alt.Data(values=limit_data)).mark_tick(color=COLORS["limit"], thickness=2, size=30).encode(x=x, y="cv:Q")
        panels.append(alt.layer(limit, limit_pts, lines, points).properties(width=300, height=200, title=stage_name))
    return to_svg(alt.hconcat(*panels, spacing=30)) if panels else ""


def theil_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> str:
    """Stacked bars per indicator: the between-area-class and within parts of the Theil index.

    rows: stage, indicator, theil_between, theil_within.
    """
    panels = []
    for stage, stage_name in stages:
        data = []
        for r in rows:
            if r["stage"] != stage or r["theil_between"] is None:
                continue
            data.append({"indicator": r["indicator"], "part": "between", "order": 0, "theil": r["theil_between"]})
            data.append({"indicator": r["indicator"], "part": "within", "order": 1, "theil": r["theil_within"]})
        if not data:
            continue
        chart = alt.Chart(alt.Data(values=data)).mark_bar(width=26).encode(
            x=alt.X("indicator:N", sort=INDICATORS, title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("theil:Q", title=None, stack="zero", axis=alt.Axis(format=".3f", tickCount=5)),
            color=alt.Color("part:N", scale=alt.Scale(domain=["between", "within"], range=[COLORS["between"], COLORS["within"]]), legend=None),
            order=alt.Order("order:Q"),
        ).properties(width=300, height=160, title=stage_name)
        panels.append(chart)
    return to_svg(alt.hconcat(*panels, spacing=40)) if panels else ""
