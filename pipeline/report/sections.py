"""The report's sections, each read from the marts of one county and year.

Rule of this module: every figure is a column of a `marts` table, read as stored. Nothing is
recomputed: no share, mean, CV or status is derived here (the only operations are filtering,
ordering, joining a school's name, and pivoting R1–R7 into columns). Where the report needs a
figure the marts do not hold, it shows "—" and says so (see `OPTIONAL_MART_COLUMNS`).

A section builder is a function `(ReportContext) -> Section | None` (None: nothing to show).
`DEFAULT_SECTIONS` is the order of the report. Extension point: a later section is added by
writing one more builder and inserting it into the list — see the marker `EXTENSION POINT`
below; the remediation plan (remediation.py) was added so.
"""

from __future__ import annotations

from typing import Any

from pipeline.report import charts
from pipeline.report.context import STAGES, ReportContext, SectionBuilder
from pipeline.report.format import format_value
from pipeline.report.labels import label
from pipeline.report.model import Chart, Column, Paragraph, Section, Table, Verdict
from pipeline.report.remediation import remediation_section

RESOURCE_INDICATORS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")
STATUS_ORDER = {"not_met": 0, "no_data": 1, "qualitative": 2, "incomplete": 2, "met": 3}

# How county_assessment.value (and standard) print, per indicator (indicators.md: shares as %).
VALUE_FORMATS: dict[str, str] = {
    "R": "pct1",
    **{r: "cv3" for r in RESOURCE_INDICATORS},
    **{g: "pct1" for g in ("G3", "G4", "G5", "G9", "G11", "G12", "G13", "G14", "G15", "Q1", "Q2", "Q4", "S1")},
    "G6": "flag",
    "V": "veto",
    "G7": "mean2",
    "G8": "ratio2",
    "Q9": "dec3",
}
STANDARD_FORMATS: dict[str, str] = {**{r: "limit2" for r in RESOURCE_INDICATORS}, "G7": "std", "G8": "std", "Q9": "std"}
SECOND_FORMATS: dict[str, str] = {"R": "pct1", "G11": "pct1", "Q9": "cv3", **{r: "mean2" for r in RESOURCE_INDICATORS}}

# Figures the report shows that the marts do not hold (yet): table -> columns. Read when present.
OPTIONAL_MART_COLUMNS: dict[str, tuple[str, ...]] = {
    "county_cv": ("units_met", "units_met_share"),
}


# ----------------------------------------------------------------------------------------------
# Formatting helpers for county_assessment rows (the choice of format, never a computation)
# ----------------------------------------------------------------------------------------------


def _assessment_display(ctx: ReportContext, r: dict[str, Any]) -> dict[str, Any]:
    """A county_assessment row with its value shown as the forms print it (flags as words)."""
    code = r["indicator"]
    value_fmt = VALUE_FORMATS.get(code, "dec3")
    row = dict(r)
    row["indicator_label"] = ctx.indicator_name(code) + (ctx.paren(ctx.stage_name(r["stage"])) if r["stage"] else "")
    if code in RESOURCE_INDICATORS:
        row["indicator_label"] += " · " + ctx.L("res.cv")
    row["status_text"] = ctx.status(r["status"])
    row["area_text"] = ctx.L(f"area.{r['area']}")
    fmts = {
        "value": value_fmt,
        "standard": STANDARD_FORMATS.get(code, value_fmt),
        "second_value": SECOND_FORMATS.get(code, "dec3"),
        "second_standard": SECOND_FORMATS.get(code, "dec3"),
        "numerator": "std",
        "denominator": "std",
    }
    if value_fmt in ("flag", "veto"):
        # G6 (1 = funded as 100) and V (1 = a veto item is listed): words, not numbers
        words = ("gov.flag_true", "gov.flag_false") if value_fmt == "flag" else ("gov.veto_true", "gov.veto_false")
        for key in ("value", "standard"):
            if row[key] is not None:
                row[key] = ctx.L(words[0] if row[key] else words[1])
        fmts["value"] = fmts["standard"] = "text"
    if r["status"] == "qualitative":
        row["value"] = None  # the status says it: "to be assessed by inspectors"
    row["_fmt"] = fmts
    row["_status"] = {"status_text": r["status"]}
    return row


# ----------------------------------------------------------------------------------------------
# 1. Verdict
# ----------------------------------------------------------------------------------------------


def summary_section(ctx: ReportContext) -> Section:
    s = ctx.summary
    r_row = ctx.assessment_row("R")
    kv = [
        ("kv.schools", s["schools"], "int"),
        ("kv.students", s["students"], "int"),
        ("kv.units", s["units"], "int"),
        ("kv.evaluated_units", s["evaluated_units"], "int"),
        ("kv.passing_units", s["passing_units"], "int"),
        ("kv.passing_share", r_row["value"] if r_row else None, "pct1"),  # county_assessment R: passing / evaluated
        ("kv.cv_checks", s["cv_checks"], "int"),
        ("kv.cv_within_limits", s["cv_within_limits"], "int"),
    ]
    overview = Table(
        key="overview",
        title=ctx.L("summary.overview"),
        sheet=ctx.L("xlsx.sheet.overview"),
        columns=[Column("item", ctx.L("kv.item")), Column("value", ctx.L("kv.value"), numeric=True)],
        rows=[{"item": ctx.L(k), "value": v, "_fmt": {"value": f}} for k, v, f in kv],
        compact=True,
        side_by_side=True,
    )
    area_rows = [
        {
            "area": ctx.L("summary.overall"),
            "result": ctx.L(f"verdict.{s['overall']}"),
            "_status": {"result": s["overall"]},
        }
    ]
    for area in ("resource", "government", "quality", "social"):
        st = s[f"{area}_met"]
        area_rows.append({"area": ctx.L(f"area.{area}"), "result": ctx.L(f"verdict.{st}"), "_status": {"result": st}})
    veto_key = {True: "veto.true", False: "veto.false", None: "veto.null"}[s["veto"]]
    veto_status = {True: "not_met", False: "met", None: "incomplete"}[s["veto"]]
    area_rows.append({"area": ctx.L("area.veto"), "result": ctx.L(veto_key), "_status": {"result": veto_status}})
    areas = Table(
        key="areas",
        title=ctx.L("summary.areas"),
        sheet=ctx.L("xlsx.sheet.areas"),
        columns=[Column("area", ctx.L("col.area")), Column("result", ctx.L("col.result"))],
        rows=area_rows,
        compact=True,
        side_by_side=True,
    )
    reasons_rows = sorted(
        (_assessment_display(ctx, r) for r in ctx.assessment if r["status"] != "met"),
        key=lambda r: (
            STATUS_ORDER.get(r["status"], 9),
            r["sort_order"],
            STAGES.index(r["stage"]) if r["stage"] in STAGES else 9,
        ),
    )
    reasons = Table(
        key="reasons",
        title=ctx.L("summary.reasons"),
        sheet=ctx.L("xlsx.sheet.reasons"),
        columns=[
            Column("indicator", ctx.L("col.code")),
            Column("indicator_label", ctx.L("col.indicator")),
            Column("area_text", ctx.L("col.area")),
            Column("value", ctx.L("col.value"), numeric=True),
            Column("standard", ctx.L("col.standard"), numeric=True),
            Column("status_text", ctx.L("col.status")),
            Column("detail", ctx.L("col.detail")),
        ],
        rows=reasons_rows,
        note=ctx.L("summary.reasons_note"),
        empty_text=ctx.L("summary.no_reasons"),
    )
    sep = ctx.colon
    lines = [
        f"{ctx.L(f'summary.rows_{k}')}{sep}{s[f'indicator_rows_{k}']}"
        for k in ("not_met", "no_data", "qualitative", "met")
    ]
    if s["veto"]:
        lines.append(f"{ctx.L('summary.veto_items')}{sep}{s['veto_items'] or ctx.L('veto.true')}")
    if s.get("blocked"):
        as_of = f"{s['data_as_of']:%Y-%m-%d}" if s.get("data_as_of") else ctx.L("summary.blocked_no_data")
        reason = s["blocked_reason_zh"] if ctx.lang == "zh" else s["blocked_reason"]
        lines.insert(0, ctx.L("summary.blocked", reason=reason, as_of=as_of))
    verdict = Verdict(
        status=s["overall"], title=ctx.L("summary.overall"), text=ctx.L(f"verdict.{s['overall']}"), lines=lines
    )
    return Section("summary", ctx.L("sec.summary"), [verdict, overview, areas, reasons])


# ----------------------------------------------------------------------------------------------
# 2. Resource allocation: the seven indicators, CVs, charts
# ----------------------------------------------------------------------------------------------


def resource_section(ctx: ReportContext) -> Section:
    present = ctx.columns_of("marts", "county_cv")
    optional = [c for c in OPTIONAL_MART_COLUMNS["county_cv"] if c in present]
    missing = [c for c in OPTIONAL_MART_COLUMNS["county_cv"] if c not in present]
    extra = "".join(f", cv.{c}" for c in optional)
    cv_rows = ctx.county_rows(f"""
        SELECT cv.stage, cv.indicator, cv.units_total, cv.units_evaluated, cv.n_units, cv.weighted_mean, cv.cv,
               cv.cv_unweighted, cv.cv_limit, cv.status, cv.detail, std.standard{extra}
        FROM marts.county_cv AS cv
        LEFT JOIN (   -- the unit standard of the stage, as the marts hold it on every unit row
            SELECT stage, indicator, CASE WHEN min(standard) = max(standard) THEN min(standard) END AS standard
            FROM marts.school_stage_indicators WHERE county_code = $1 AND year = $2 GROUP BY ALL
        ) AS std USING (stage, indicator)
        WHERE cv.county_code = $1 AND cv.year = $2
        ORDER BY cv.indicator, CASE cv.stage WHEN 'primary' THEN 0 ELSE 1 END
    """)
    rows = []
    for r in cv_rows:
        borderline = "borderline" in (r["detail"] or "")
        row = {
            **r,
            "indicator_label": ctx.indicator_name(r["indicator"]),
            "stage_text": ctx.stage_name(r["stage"]),
            "cv_status_text": ctx.status(r["status"]),
            "borderline_text": ctx.L("res.borderline") if borderline else "",
            "_status": {
                "cv": r["status"],
                "cv_status_text": r["status"],
                **({"borderline_text": "incomplete"} if borderline else {}),
            },
        }
        for c in missing:
            row[c] = None
        rows.append(row)
    note = ctx.L("res.table_note")
    if missing:
        note += " " + ctx.L("res.missing_in_marts", columns=", ".join(f"county_cv.{c}" for c in missing))
    table = Table(
        key="resource",
        title=ctx.L("res.table"),
        sheet=ctx.L("xlsx.sheet.resource"),
        columns=[
            Column("indicator", ctx.L("col.code"), group_label=True),
            Column("indicator_label", ctx.L("col.indicator"), group_label=True),
            Column("stage_text", ctx.L("col.stage")),
            Column("standard", ctx.L("col.standard"), "std"),
            Column("units_evaluated", ctx.L("res.units_evaluated"), "int"),
            Column("units_met", ctx.L("res.units_met"), "int"),
            Column("units_met_share", ctx.L("res.units_met_share"), "pct1"),
            Column("weighted_mean", ctx.L("res.weighted_mean"), "mean2"),
            Column("cv", ctx.L("res.cv"), "cv3"),
            Column("cv_unweighted", ctx.L("res.cv_unweighted"), "cv3"),
            Column("cv_limit", ctx.L("res.cv_limit"), "limit2"),
            Column("cv_status_text", ctx.L("res.cv_status")),
            Column("borderline_text", ctx.L("res.borderline")),
        ],
        rows=rows,
        note=note,
        group_key="indicator",
    )
    s = ctx.summary
    r_row = ctx.assessment_row("R")
    verdict_status = s["resource_met"]
    sep = ctx.colon
    lines = [
        f"{ctx.L('kv.passing_units')}{sep}{s['passing_units']} / {s['evaluated_units']}"
        + (ctx.paren(_pct(r_row["value"])) if r_row and r_row["value"] is not None else ""),
        f"{ctx.L('kv.cv_within_limits')}{sep}{s['cv_within_limits']} / {s['cv_checks']}",
    ]
    verdict = Verdict(
        status=verdict_status, title=ctx.L("res.verdict"), text=ctx.L(f"verdict.{verdict_status}"), lines=lines
    )

    unit_values = ctx.county_rows("""
        SELECT stage, indicator, school_id, value, standard, status, evaluated
        FROM marts.school_stage_indicators WHERE county_code = ? AND year = ?
        ORDER BY stage, indicator, school_id""")
    blocks: list[Any] = [verdict, table]
    cv_svg = charts.to_svg(charts.cv_chart(cv_rows, ctx.stages))
    if cv_svg:
        blocks.append(
            Chart(
                "cv",
                ctx.L("chart.cv"),
                cv_svg,
                ctx.L("chart.cv_note"),
                legend=[
                    ("sw-bar", ctx.L("legend.met")),
                    ("sw-not_met", ctx.L("legend.not_met")),
                    ("sw-limit", ctx.L("res.cv_limit")),
                ],
            )
        )
    dist_svg = charts.to_svg(charts.distribution_chart(unit_values, ctx.stages))
    if dist_svg:
        names = (
            "；".join(f"{c} {ctx.indicator_name(c)}" for c in RESOURCE_INDICATORS)
            if ctx.lang == "zh"
            else "; ".join(f"{c} {ctx.indicator_name(c)}" for c in RESOURCE_INDICATORS)
        )
        blocks.append(
            Chart(
                "distribution",
                ctx.L("chart.distribution"),
                dist_svg,
                ctx.L("chart.distribution_note") + " " + names,
                legend=[
                    ("sw-met", ctx.L("legend.met")),
                    ("sw-not_met", ctx.L("legend.not_met")),
                    ("sw-limit", ctx.L("col.standard")),
                ],
            )
        )
    return Section("resource", ctx.L("sec.resource"), blocks)


def _pct(value: float) -> str:
    return format_value(value, "pct1")


# ----------------------------------------------------------------------------------------------
# 3. Per-unit table: each unit's seven values against the standard, and the pass rule
# ----------------------------------------------------------------------------------------------


def schools_section(ctx: ReportContext) -> Section:
    units = ctx.county_rows("""
        SELECT s.school_id, d.school_name, d.school_type, d.area_class, s.stage, s.students, s.teachers,
               s.evaluated, s.excluded_reason, s.met_count, s.not_met_count, s.no_data_count, s.min_ratio,
               s.passes, s.pass_status
        FROM marts.school_stage_summary AS s
        JOIN marts.dim_school AS d USING (year, school_id)
        WHERE s.county_code = ? AND s.year = ?""")
    values = ctx.county_rows("""
        SELECT school_id, stage, indicator, value, standard, status
        FROM marts.school_stage_indicators WHERE county_code = ? AND year = ?""")
    by_unit: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    standards: dict[tuple[str, str], set[float]] = {}
    for v in values:
        by_unit.setdefault((v["school_id"], v["stage"]), {})[v["indicator"]] = v
        standards.setdefault((v["stage"], v["indicator"]), set()).add(v["standard"])

    blocks: list[Any] = [Paragraph(ctx.L("sch.note"), "note")]
    for stage in STAGES:
        stage_units = [u for u in units if u["stage"] == stage]
        rows = []
        for u in stage_units:
            row = {
                **u,
                "school_type_text": ctx.name("school_types", u["school_type"]),
                "area_class_text": ctx.name("area_classes", u["area_class"]),
                "evaluated_text": ctx.L("col.evaluated_yes")
                if u["evaluated"]
                else ctx.name("excluded_reasons", u["excluded_reason"]),
                "pass_status_text": ctx.status(u["pass_status"]),
                "_status": {"pass_status_text": u["pass_status"]},
                "_class": "" if u["evaluated"] else "excluded",
            }
            for code in RESOURCE_INDICATORS:
                v = by_unit.get((u["school_id"], stage), {}).get(code)
                row[code] = v["value"] if v else None
                row["_status"][code] = v["status"] if v else "no_data"
            rows.append(row)
        rows.sort(key=lambda r: (not r["evaluated"], STATUS_ORDER.get(r["pass_status"], 9), r["school_id"]))
        columns = [
            Column("school_name", ctx.L("col.school")),
            Column("school_id", ctx.L("col.school_id")),
            Column("school_type_text", ctx.L("col.school_type")),
            Column("area_class_text", ctx.L("col.area_class")),
            Column("students", ctx.L("col.students"), "int"),
            Column("evaluated_text", ctx.L("col.evaluated")),
        ]
        for code in RESOURCE_INDICATORS:
            stds = standards.get((stage, code), set())
            std_text = f" ≥{_std(next(iter(stds)))}" if len(stds) == 1 else ""
            columns.append(Column(code, f"{code}{std_text}", "value2"))
        columns += [
            Column("met_count", ctx.L("col.met_count"), "int"),
            Column("min_ratio", ctx.L("col.min_ratio"), "pct1"),
            Column("pass_status_text", ctx.L("col.pass_status")),
        ]
        blocks.append(
            Table(
                key=f"schools_{stage}",
                title=ctx.L("sch.table", stage=ctx.stage_name(stage)),
                sheet=ctx.L(f"xlsx.sheet.schools_{stage}"),
                columns=columns,
                rows=rows,
                empty_text=ctx.L("sch.none"),
                compact=True,
            )
        )
    return Section("schools", ctx.L("sec.schools"), blocks)


def _std(value: float) -> str:
    return format_value(value, "std")


# ----------------------------------------------------------------------------------------------
# 4. Government guarantee, quality, social recognition and veto
# ----------------------------------------------------------------------------------------------


def government_section(ctx: ReportContext) -> Section:
    blocks: list[Any] = [Paragraph(ctx.L("gov.note"), "note")]
    groups = (("government", ("government",)), ("quality", ("quality",)), ("social", ("social", "veto")))
    for key, areas in groups:
        rows = [_assessment_display(ctx, r) for r in ctx.assessment if r["area"] in areas]
        title = ctx.L("gov.table", area=" / ".join(ctx.L(f"area.{a}") for a in areas))
        blocks.append(
            Table(
                key=key,
                title=title,
                sheet=ctx.L(f"xlsx.sheet.{key}"),
                columns=[
                    Column("indicator", ctx.L("col.code")),
                    Column("indicator_label", ctx.L("col.indicator")),
                    Column("value", ctx.L("col.value"), numeric=True),
                    Column("standard", ctx.L("col.standard"), numeric=True),
                    Column("status_text", ctx.L("col.status")),
                    Column("numerator", ctx.L("col.numerator"), numeric=True),
                    Column("denominator", ctx.L("col.denominator"), numeric=True),
                    Column("second_value", ctx.L("col.second_value"), numeric=True),
                    Column("second_standard", ctx.L("col.second_standard"), numeric=True),
                    Column("detail", ctx.L("col.detail")),
                ],
                rows=rows,
            )
        )
    return Section("government", ctx.L("sec.government"), blocks)


# ----------------------------------------------------------------------------------------------
# 5. Class size and school size
# ----------------------------------------------------------------------------------------------


def violations_section(ctx: ReportContext) -> Section:
    s = ctx.summary
    totals = [
        "oversize_classes",
        "students_in_oversize_classes",
        "large_classes",
        "students_in_large_classes",
        "super_large_classes",
        "students_in_super_large_classes",
        "oversize_schools",
        "students_in_oversize_schools",
    ]
    summary = Table(
        key="violations_summary",
        title=ctx.L("vio.summary"),
        sheet=ctx.L("xlsx.sheet.violations_summary"),
        columns=[Column("item", ctx.L("kv.item")), Column("value", ctx.L("kv.value"), "int")],
        rows=[{"item": ctx.L(f"kv.{k}"), "value": s[k]} for k in totals],
        compact=True,
    )
    classes = ctx.county_rows("""
        SELECT v.school_id, d.school_name, v.stage, v.grade, v.class_id, v.students, v.standard, v.excess, v.category
        FROM marts.class_size_violations AS v JOIN marts.dim_school AS d USING (year, school_id)
        WHERE v.county_code = ? AND v.year = ?
        ORDER BY v.school_id, CASE v.stage WHEN 'primary' THEN 0 ELSE 1 END, v.grade, v.class_id""")
    category_status = {"over_standard": "incomplete", "large": "not_met", "super_large": "not_met"}
    for r in classes:
        r["stage_text"] = ctx.stage_name(r["stage"])
        r["category_text"] = ctx.name("class_size_categories", r["category"])
        r["_status"] = {"category_text": category_status.get(r["category"])}
    class_table = Table(
        key="class_violations",
        title=ctx.L("vio.classes"),
        sheet=ctx.L("xlsx.sheet.class_violations"),
        columns=[
            Column("school_name", ctx.L("col.school"), group_label=True),
            Column("school_id", ctx.L("col.school_id"), group_label=True),
            Column("stage_text", ctx.L("col.stage")),
            Column("grade", ctx.L("col.grade"), "int"),
            Column("class_id", ctx.L("col.class_id")),
            Column("students", ctx.L("col.class_students"), "int"),
            Column("standard", ctx.L("col.class_standard"), "int"),
            Column("excess", ctx.L("col.excess"), "int"),
            Column("category_text", ctx.L("col.category")),
        ],
        rows=classes,
        note=ctx.L("vio.classes_note"),
        empty_text=ctx.L("vio.none_classes"),
        group_key="school_id",
        compact=True,
    )
    schools = ctx.county_rows("""
        SELECT v.school_id, d.school_name, v.school_type, v.compulsory_students, v.size_limit, v.excess
        FROM marts.school_size_violations AS v JOIN marts.dim_school AS d USING (year, school_id)
        WHERE v.county_code = ? AND v.year = ?
        ORDER BY v.excess DESC, v.school_id""")
    for r in schools:
        r["school_type_text"] = ctx.name("school_types", r["school_type"])
    school_table = Table(
        key="school_violations",
        title=ctx.L("vio.schools"),
        sheet=ctx.L("xlsx.sheet.school_violations"),
        columns=[
            Column("school_name", ctx.L("col.school")),
            Column("school_id", ctx.L("col.school_id")),
            Column("school_type_text", ctx.L("col.school_type")),
            Column("compulsory_students", ctx.L("col.compulsory_students"), "int"),
            Column("size_limit", ctx.L("col.size_limit"), "int"),
            Column("excess", ctx.L("col.excess"), "int"),
        ],
        rows=schools,
        note=ctx.L("vio.schools_note"),
        empty_text=ctx.L("vio.none_schools"),
    )
    return Section("violations", ctx.L("sec.violations"), [summary, school_table, class_table])


# ----------------------------------------------------------------------------------------------
# 6. Year-over-year change of each CV, and the trend over every year available
# ----------------------------------------------------------------------------------------------


def cv_change_section(ctx: ReportContext) -> Section:
    yoy = ctx.county_rows("""
        SELECT stage, indicator, previous_year, previous_cv, cv, cv_change, previous_status, status, has_previous_year
        FROM marts.county_cv_yoy WHERE county_code = ? AND year = ?
        ORDER BY CASE stage WHEN 'primary' THEN 0 ELSE 1 END, indicator""")
    for r in yoy:
        r["stage_text"] = ctx.stage_name(r["stage"])
        r["indicator_label"] = ctx.indicator_name(r["indicator"])
        r["previous_status_text"] = (
            ctx.status(r["previous_status"]) if r["has_previous_year"] else label("doc.missing", ctx.lang)
        )
        r["status_text"] = ctx.status(r["status"])
        r["_status"] = {
            "status_text": r["status"],
            "cv": r["status"],
            **({"previous_status_text": r["previous_status"]} if r["has_previous_year"] else {}),
        }
    previous = ctx.year - 1
    table = Table(
        key="cv_change",
        title=ctx.L("yoy.table", year=ctx.year, previous=previous),
        sheet=ctx.L("xlsx.sheet.cv_change"),
        columns=[
            Column("stage_text", ctx.L("col.stage"), group_label=True),
            Column("indicator", ctx.L("col.code")),
            Column("indicator_label", ctx.L("col.indicator")),
            Column("previous_cv", ctx.L("yoy.previous_cv"), "cv3"),
            Column("cv", ctx.L("yoy.cv"), "cv3"),
            Column("cv_change", ctx.L("yoy.cv_change"), "signed3"),
            Column("previous_status_text", ctx.L("yoy.previous_status")),
            Column("status_text", ctx.L("yoy.status")),
        ],
        rows=yoy,
        note=ctx.L("yoy.note") + ("" if any(r["has_previous_year"] for r in yoy) else " " + ctx.L("yoy.no_previous")),
        group_key="stage",
    )
    history = ctx.county_rows("""
        SELECT year, stage, indicator, cv, cv_limit, status
        FROM marts.county_cv WHERE county_code = ? AND year <= ?
        ORDER BY year, stage, indicator""")
    blocks: list[Any] = [table]
    svg = charts.to_svg(charts.trend_chart(history, ctx.stages))
    if svg:
        years = sorted({r["year"] for r in history})
        title = ctx.L("chart.trend") + ctx.paren(f"{years[0]}–{years[-1]}" if len(years) > 1 else years[0])
        blocks.append(
            Chart("trend", title, svg, ctx.L("chart.trend_note"), legend=[("sw-limit-dash", ctx.L("res.cv_limit"))])
        )
    return Section("cv_change", ctx.L("sec.cv_change"), blocks)


# ----------------------------------------------------------------------------------------------
# 7. Theil decomposition by area class
# ----------------------------------------------------------------------------------------------


def inequality_section(ctx: ReportContext) -> Section:
    rows = ctx.county_rows("""
        SELECT stage, indicator, n_units, n_area_classes, weighted_mean, theil, theil_between, theil_within, gini, mcloone
        FROM marts.county_inequality WHERE county_code = ? AND year = ?
        ORDER BY CASE stage WHEN 'primary' THEN 0 ELSE 1 END, indicator""")
    for r in rows:
        r["stage_text"] = ctx.stage_name(r["stage"])
        r["indicator_label"] = ctx.indicator_name(r["indicator"])
    table = Table(
        key="inequality",
        title=ctx.L("ineq.table"),
        sheet=ctx.L("xlsx.sheet.inequality"),
        columns=[
            Column("stage_text", ctx.L("col.stage"), group_label=True),
            Column("indicator", ctx.L("col.code")),
            Column("indicator_label", ctx.L("col.indicator")),
            Column("n_units", ctx.L("ineq.n_units"), "int"),
            Column("n_area_classes", ctx.L("ineq.n_area_classes"), "int"),
            Column("theil", ctx.L("ineq.theil"), "dec5"),
            Column("theil_between", ctx.L("ineq.theil_between"), "dec5"),
            Column("theil_within", ctx.L("ineq.theil_within"), "dec5"),
            Column("gini", ctx.L("ineq.gini"), "dec3"),
            Column("mcloone", ctx.L("ineq.mcloone"), "dec3"),
        ],
        rows=rows,
        note=ctx.L("ineq.note"),
        group_key="stage",
    )
    blocks: list[Any] = [table]
    svg = charts.to_svg(charts.theil_chart(rows, ctx.stages))
    if svg:
        blocks.append(
            Chart(
                "theil",
                ctx.L("chart.theil"),
                svg,
                ctx.L("chart.theil_note"),
                legend=[("sw-between", ctx.L("ineq.theil_between")), ("sw-within", ctx.L("ineq.theil_within"))],
            )
        )
    return Section("inequality", ctx.L("sec.inequality"), blocks)


# ----------------------------------------------------------------------------------------------
# The order of the report
# ----------------------------------------------------------------------------------------------

DEFAULT_SECTIONS: tuple[SectionBuilder, ...] = (
    summary_section,
    resource_section,
    schools_section,
    government_section,
    violations_section,
    cv_change_section,
    inequality_section,
    remediation_section,  # remediation.py: the plan per failing unit, county totals, CVs after
    # EXTENSION POINT — a later section: one builder `(ReportContext) -> Section | None` in its own
    # module, its tables (one workbook sheet each) and its words in labels.py, inserted here; or
    # pass `sections=(*DEFAULT_SECTIONS, builder)` to write_county_report.
)
