"""Charts: Vega-Lite specs built with altair, rendered to static SVG by vl-convert (no JavaScript in the report).

The SVG keeps its text as <text> elements, so the reader's browser draws Chinese with its own
fonts; the server needs none. Vega lays text out with the server's font metrics, so the charts
keep their words to codes (R1…R7), numbers and short, centred stage names; the longer wording
(titles, legends, explanations) is in the HTML around the chart.

Every chart is drawn from rows the report already read from the marts: nothing is computed here
but positions (the lane of a dot in a strip).

Each `*_chart` function returns a `Spec` (an altair chart and its datasets; None when there is
nothing to draw); `to_svg` renders it. Specs are validated against the Vega-Lite schema by the tests, not on
every report (validation costs more than the rendering).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import altair as alt
import vl_convert as vlc

from pipeline.report.format import fixed

COLORS = {
    "met": "#2e7d32",
    "not_met": "#c62828",
    "no_data": "#9e9e9e",
    "limit": "#c62828",
    "bar": "#5b7fa6",
    "between": "#1f4e79",
    "within": "#9dc3e6",
}
# Browsers pick the first font they have; the SVG carries only the names.
FONT = "PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Arial, sans-serif"
INDICATORS = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
INDICATOR_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
PANEL_WIDTH = 470

CONFIG: dict[str, Any] = {
    "font": FONT,
    "aria": False,  # no per-mark descriptions: they would carry unformatted full-precision values
    "view": {"stroke": "#cfd8dc"},
    "axis": {
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "gridColor": "#eceff1",
        "labelColor": "#37474f",
        "domainColor": "#90a4ae",
        "tickColor": "#90a4ae",
    },
    "header": {"labelFontSize": 13, "labelFontWeight": "bold", "labelColor": "#263238"},
    "legend": {"labelFontSize": 11},
    "title": {"fontSize": 13, "anchor": "middle", "color": "#263238"},
}

_ids = itertools.count(1)
_NUMBER = re.compile(r"(-?\d+\.\d{2})\d+")
_ATTRIBUTE = re.compile(r'\s(d|transform|x|y|x1|x2|y1|y2|width|height|points|viewBox)="([^"]*)"')


class Spec:
    """An altair chart whose data are named datasets, kept aside: altair deep-copies inline data at every
    layer and concatenation, which would cost more than drawing the chart."""

    def __init__(self) -> None:
        self.datasets: dict[str, list[dict[str, Any]]] = {}
        self.chart: alt.TopLevelMixin | None = None

    def data(self, values: list[dict[str, Any]]) -> alt.Data:
        name = f"d{len(self.datasets)}"
        self.datasets[name] = values
        return alt.Data(name=name)

    def to_dict(self, validate: bool = False) -> dict[str, Any]:
        assert self.chart is not None
        spec = self.chart.to_dict(validate=validate)
        spec["datasets"] = {**spec.get("datasets", {}), **self.datasets}
        return spec


def to_svg(spec: Spec | None) -> str:
    """The chart as inline-ready SVG: ids unique in the page, coordinates to 0.01 px, no external reference."""
    if spec is None:
        return ""
    svg = vlc.vegalite_to_svg(spec.to_dict(), config=CONFIG, allowed_base_urls=[])
    svg = _ATTRIBUTE.sub(_round_attribute, svg)
    return scope_ids(svg, f"c{next(_ids)}-")


def _round_attribute(m: re.Match) -> str:
    return f' {m.group(1)}="{_NUMBER.sub(_keep_two_decimals, m.group(2))}"'


def _keep_two_decimals(m: re.Match) -> str:
    return m.group(1)


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id (clip paths, gradients) so several inline SVGs in one page do not collide."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(
        r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"' if m.group(1) in ids else m.group(0), svg
    )
    return svg


def cv_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> Spec | None:
    """Bars: each indicator's weighted CV; red rule: the stage's limit. rows: stage, indicator, cv, cv_limit, status."""
    spec, panels = Spec(), []
    for stage, stage_name in stages:
        data = [r for r in rows if r["stage"] == stage]
        if not data:
            continue
        values = [
            {
                "indicator": r["indicator"],
                "cv": r["cv"],
                "status": r["status"],
                "label": "" if r["cv"] is None else _fixed(r["cv"], 3),
            }
            for r in data
        ]
        limit = data[0]["cv_limit"]
        top = max([limit * 1.15] + [(r["cv"] or 0) * 1.12 for r in data])
        base = alt.Chart(spec.data(values))
        x = alt.X("indicator:N", sort=INDICATORS, title=None, axis=alt.Axis(labelAngle=0, labelFontWeight="bold"))
        y = alt.Y(
            "cv:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(format=".2f", tickCount=5)
        )
        bars = base.mark_bar(width=30).encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N",
                legend=None,
                scale=alt.Scale(
                    domain=["met", "not_met", "no_data"], range=[COLORS["bar"], COLORS["not_met"], COLORS["no_data"]]
                ),
            ),
        )
        labels = base.mark_text(dy=-7, fontSize=11, color="#37474f").encode(x=x, y=y, text="label:N")
        limit_data = spec.data([{"limit": limit, "text": _fixed(limit, 2)}])
        rule = alt.Chart(limit_data).mark_rule(color=COLORS["limit"], strokeWidth=2).encode(y="limit:Q")
        rule_label = (
            alt.Chart(limit_data)
            .mark_text(  # right of the plot, clear of the bars' labels
                align="left",
                baseline="middle",
                dx=4,
                color=COLORS["limit"],
                fontSize=11,
                fontWeight="bold",
                x="width",
            )
            .encode(y="limit:Q", text="text:N")
        )
        panels.append(
            alt.layer(bars, labels, rule, rule_label).properties(width=PANEL_WIDTH, height=190, title=stage_name)
        )
    spec.chart = alt.hconcat(*panels, spacing=48) if panels else None
    return spec if panels else None


def distribution_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> Spec | None:
    """Per indicator (rows) and stage (columns), one dot per evaluated unit on the indicator's scale;
    red rule: the standard. Units not evaluated (special schools, small teaching points) are left out:
    they do not count for the county, and their extreme ratios would squeeze the others.

    rows: stage, indicator, value, standard, status, evaluated (school_stage_indicators).
    """
    stage_names = dict(stages)
    values: list[dict[str, Any]] = []
    for stage, stage_name in stages:
        for indicator in INDICATORS:
            data = [r for r in rows if r["stage"] == stage and r["indicator"] == indicator]
            if not data:
                continue
            values.append(
                {"kind": "standard", "stage": stage_name, "indicator": indicator, "value": data[0]["standard"]}
            )
            known = sorted((r for r in data if r["value"] is not None and r["evaluated"]), key=lambda r: r["value"])
            for lane, r in enumerate(known):
                values.append(
                    {
                        "kind": "unit",
                        "stage": stage_name,
                        "indicator": indicator,
                        "value": r["value"],
                        "status": r["status"],
                        "lane": lane % 5,
                    }
                )
    if not values:
        return None
    x = alt.X(
        "value:Q",
        title=None,
        scale=alt.Scale(zero=False, nice=False, padding=8),
        axis=alt.Axis(tickCount=6, labelFlush=True),
    )
    y = alt.Y("lane:O", axis=None, scale=alt.Scale(domain=[0, 1, 2, 3, 4]))
    color = alt.Color(
        "status:N", legend=None, scale=alt.Scale(domain=["met", "not_met"], range=[COLORS["met"], COLORS["not_met"]])
    )
    base = alt.Chart()
    rule = base.transform_filter("datum.kind == 'standard'").mark_rule(color=COLORS["limit"], strokeWidth=2).encode(x=x)
    dots = (
        base.transform_filter("datum.kind == 'unit'").mark_circle(size=50, opacity=0.85).encode(x=x, y=y, color=color)
    )
    spec = Spec()
    spec.chart = (
        alt.layer(rule, dots, data=spec.data(values))
        .properties(width=PANEL_WIDTH, height=62)
        .facet(
            row=alt.Row(
                "indicator:N",
                title=None,
                sort=INDICATORS,
                header=alt.Header(labelAngle=0, labelAlign="left", labelPadding=8),
            ),
            column=alt.Column(
                "stage:N", title=None, sort=[stage_names[s] for s, _ in stages], header=alt.Header(labelFontSize=13)
            ),
            spacing={"row": 12, "column": 48},
        )
        .resolve_scale(x="independent")
    )
    return spec


def trend_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> Spec | None:
    """Per stage, each indicator's CV over the years; dashed red line: each year's limit.

    rows: year, stage, indicator, cv, cv_limit (county_cv, every year up to the report's).
    """
    years = [str(y) for y in sorted({r["year"] for r in rows})]
    spec, panels = Spec(), []
    for stage, stage_name in stages:
        data = [
            {"year": str(r["year"]), "indicator": r["indicator"], "cv": r["cv"]}
            for r in rows
            if r["stage"] == stage and r["cv"] is not None
        ]
        if not data:
            continue
        limits = sorted({(str(r["year"]), r["cv_limit"]) for r in rows if r["stage"] == stage})
        top = max([lim for _, lim in limits] + [d["cv"] for d in data]) * 1.12
        x = alt.X(
            "year:O",
            title=None,
            sort=years,
            axis=alt.Axis(labelAngle=0),
            scale=alt.Scale(domain=years, paddingOuter=0.3),
        )
        y = alt.Y(
            "cv:Q", title=None, scale=alt.Scale(domain=[0, top], nice=False), axis=alt.Axis(format=".2f", tickCount=5)
        )
        color = alt.Color(
            "indicator:N",
            scale=alt.Scale(domain=INDICATORS, range=INDICATOR_COLORS),
            legend=alt.Legend(title=None, orient="right"),
        )
        base = alt.Chart(spec.data(data))
        lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
        points = base.mark_point(filled=True, size=44, opacity=1).encode(x=x, y=y, color=color)
        limit_data = spec.data([{"year": yr, "cv": lim} for yr, lim in limits])
        limit = (
            alt.Chart(limit_data)
            .mark_line(color=COLORS["limit"], strokeDash=[6, 4], strokeWidth=2)
            .encode(x=x, y="cv:Q")
        )
        limit_ticks = alt.Chart(limit_data).mark_tick(color=COLORS["limit"], thickness=2, size=36).encode(x=x, y="cv:Q")
        panels.append(
            alt.layer(limit, limit_ticks, lines, points).properties(
                width=PANEL_WIDTH - 40, height=210, title=stage_name
            )
        )
    spec.chart = alt.hconcat(*panels, spacing=40) if panels else None
    return spec if panels else None


def theil_chart(rows: list[dict[str, Any]], stages: list[tuple[str, str]]) -> Spec | None:
    """Stacked bars per indicator: the between- and within-area-class parts of the Theil index.

    rows: stage, indicator, theil_between, theil_within (county_inequality).
    """
    spec, panels = Spec(), []
    for stage, stage_name in stages:
        data = []
        for r in rows:
            if r["stage"] != stage or r["theil_between"] is None:
                continue
            data.append({"indicator": r["indicator"], "part": "between", "order": 0, "theil": r["theil_between"]})
            data.append({"indicator": r["indicator"], "part": "within", "order": 1, "theil": r["theil_within"]})
        if not data:
            continue
        panels.append(
            alt.Chart(spec.data(data))
            .mark_bar(width=30)
            .encode(
                x=alt.X(
                    "indicator:N", sort=INDICATORS, title=None, axis=alt.Axis(labelAngle=0, labelFontWeight="bold")
                ),
                y=alt.Y("theil:Q", title=None, stack="zero", axis=alt.Axis(format=".3f", tickCount=5)),
                color=alt.Color(
                    "part:N",
                    legend=None,
                    scale=alt.Scale(domain=["between", "within"], range=[COLORS["between"], COLORS["within"]]),
                ),
                order=alt.Order("order:Q"),
            )
            .properties(width=PANEL_WIDTH, height=170, title=stage_name)
        )
    spec.chart = alt.hconcat(*panels, spacing=48) if panels else None
    return spec if panels else None


def _fixed(value: float, places: int) -> str:
    return fixed(value, places)  # the report's own rounding (half-up), for the figures drawn in charts
