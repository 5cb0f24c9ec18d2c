"""The report's remediation plan (整改计划): what each failing unit needs, and what that does to the county.

Read from `marts.school_remediation` (one row per unit and indicator it does not meet: shortfall,
unit, the minimum plan's addition, needed_to_pass) and `marts.county_remediation` (per stage and
`all`: additions by kind, rooms, classes, estimated cost, CVs after the additions), under the rule of
sections.py: every figure is a column as stored; this module only filters, orders, joins names and
pivots the county's rows into columns. The section answers the self-assessment's "整改后达标"
question a bureau must budget for, so it is shown whenever the marts exist — a county without a
failing unit gets a sentence saying so and still its county totals and CVs after.

Kept out of sections.py, which lists this builder in DEFAULT_SECTIONS: importing sections.py from
here at runtime would be circular, so ReportContext is imported for type checking only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipeline.report.format import format_value
from pipeline.report.model import Column, Paragraph, Section, Table, Verdict

if TYPE_CHECKING:
    from pipeline.report.context import ReportContext

REMEDIATION_MARTS = ("school_remediation", "county_remediation")
COUNTY_TOTAL = "all"  # county_remediation's stage of the county total
CV_INDICATORS = ("R1", "R2", "R3", "R4", "R5", "R6", "R7")  # its r1_… r7_ column groups

# How an amount prints, by its natural unit: whole people, rooms and counts; m² to the 0.01; whole yuan.
UNIT_FORMATS: dict[str, str] = {
    "people": "int",
    "rooms": "int",
    "classes": "int",
    "units": "int",
    "schools": "int",
    "students": "int",
    "cvs": "int",
    "m2": "amount2",
    "yuan": "amount0",
}

# The county table's rows: (county_remediation column, natural unit or None for words), in reading order.
COUNTY_ITEMS: tuple[tuple[str, str | None], ...] = (
    ("evaluated_units", "units"),
    ("failing_units", "units"),
    ("units_with_additions", "units"),
    ("units_depending_on_missing_data", "units"),
    ("add_qualified_teachers", "people"),
    ("add_backbone_teachers", "people"),
    ("add_pe_art_teachers", "people"),
    ("add_teachers", "people"),
    ("add_teaching_space_m2", "m2"),
    ("add_sports_ground_m2", "m2"),
    ("add_equipment_yuan", "yuan"),
    ("add_multimedia_rooms", "rooms"),
    ("oversize_classes", "classes"),
    ("students_in_oversize_classes", "students"),
    ("additional_classes", "classes"),
    ("music_rooms_missing", "rooms"),
    ("art_rooms_missing", "rooms"),
    ("schools_missing_rooms", "schools"),
    ("oversize_schools", "schools"),
    ("students_over_size_limits", "students"),
    ("cost_resource_additions", "yuan"),
    ("cost_additional_classes", "yuan"),
    ("cost_music_art_rooms", "yuan"),
    ("estimated_cost_per_year", "yuan"),
    ("estimated_cost_one_time", "yuan"),
    ("estimated_cost", "yuan"),
    ("cost_all_to_standard", "yuan"),
    ("cv_checks", "cvs"),
    ("cvs_over_limit_before", "cvs"),
    ("cvs_over_limit_after", "cvs"),
    ("cv_indicators_over_limit_after", None),
    ("resource_status_after", None),
)
STATUS_ITEM = "resource_status_after"  # a status: its word, colouring the cell

# Verdict styles exist for met / not_met / incomplete; a plan resting on missing data is incomplete.
VERDICT_STYLE = {"met": "met", "not_met": "not_met"}


def remediation_section(ctx: ReportContext) -> Section | None:
    """The plan per failing unit, the county's totals, and its CVs after the minimum additions.

    None when the warehouse predates the remediation marts (nothing to read, nothing invented)."""
    if not all(ctx.columns_of("marts", mart) for mart in REMEDIATION_MARTS):
        return None
    county = ctx.county_rows("""
        SELECT * FROM marts.county_remediation WHERE county_code = ? AND year = ?
        ORDER BY CASE stage WHEN 'primary' THEN 0 WHEN 'junior' THEN 1 ELSE 2 END""")
    blocks: list[Any] = [Paragraph(ctx.L("rem.note"), "note")]
    total = next((r for r in county if r["stage"] == COUNTY_TOTAL), None)
    stage_rows = [r for r in county if r["stage"] != COUNTY_TOTAL]
    if total is not None:
        blocks.append(_verdict(ctx, total, stage_rows))
    blocks += [_units_table(ctx), _county_table(ctx, county), _cv_table(ctx, stage_rows)]
    return Section("remediation", ctx.L("sec.remediation"), blocks)


def _verdict(ctx: ReportContext, total: dict[str, Any], stage_rows: list[dict[str, Any]]) -> Verdict:
    """The bureau's question first: would the county's resource allocation be met after the minimum plan, at what cost.

    The CVs still over their limit are the stage rows' lists with the stage's name in the report's
    language (the `all` row spells the stages in English)."""
    sep = ctx.colon
    status = total["resource_status_after"]
    over = [
        f"{ctx.stage_name(r['stage'])}{sep}{r['cv_indicators_over_limit_after']}"
        for r in stage_rows
        if r["cv_indicators_over_limit_after"]
    ]
    cost = format_value(total["estimated_cost"], UNIT_FORMATS["yuan"])
    lines = [
        f"{ctx.L('rem.item.failing_units')}{sep}{total['failing_units']} / {total['evaluated_units']}",
        f"{ctx.L('rem.item.estimated_cost')}{sep}{cost} {ctx.L('unit.yuan')}",
        f"{ctx.L('rem.item.cv_indicators_over_limit_after')}{sep}{ctx.L('punct.semicolon').join(over) or ctx.L('doc.none')}",
    ]
    return Verdict(
        status=VERDICT_STYLE.get(status, "incomplete"), title=ctx.L("rem.verdict"), text=ctx.status(status), lines=lines
    )


def _units_table(ctx: ReportContext) -> Table:
    """Every indicator of every failing unit (plan_status not already_passes), the unit's rows together."""
    found = ctx.county_rows(f"""
        SELECT r.school_id, d.school_name, r.stage, r.indicator, r.status, r.value, r.standard,
               k.name_{ctx.lang} AS kind_name, r.unit, r.shortfall, r.shortfall_to_min_ratio, r.needed_to_pass,
               r.target, r.addition, r.value_after, r.status_after, r.estimated_cost, r.plan_status
        FROM marts.school_remediation AS r
        JOIN marts.dim_school AS d USING (year, school_id)
        LEFT JOIN reference.remediation_kinds AS k USING (kind)
        WHERE r.county_code = ? AND r.year = ? AND r.plan_status <> 'already_passes'
        ORDER BY r.school_id, CASE r.stage WHEN 'primary' THEN 0 ELSE 1 END, r.indicator""")
    rows = [_unit_row(ctx, r) for r in found]
    return Table(
        key="remediation_units",
        title=ctx.L("rem.schools"),
        sheet=ctx.L("xlsx.sheet.remediation_schools"),
        columns=[
            Column("school_name", ctx.L("col.school"), group_label=True),
            Column("school_id", ctx.L("col.school_id"), group_label=True),
            Column("stage_text", ctx.L("col.stage"), group_label=True),
            Column("plan_status_text", ctx.L("rem.plan_status"), group_label=True),
            Column("indicator", ctx.L("col.code")),
            Column("value", ctx.L("col.value"), "value2"),
            Column("standard", ctx.L("col.standard"), "std"),
            Column("kind_name", ctx.L("rem.kind")),
            Column("unit_text", ctx.L("col.unit")),
            Column("shortfall", ctx.L("rem.shortfall"), numeric=True),
            Column("shortfall_to_min_ratio", ctx.L("rem.shortfall_to_min_ratio"), numeric=True),
            Column("plan_text", ctx.L("rem.plan")),
            Column("addition", ctx.L("rem.addition"), numeric=True),
            Column("value_after", ctx.L("rem.value_after"), "value2"),
            Column("estimated_cost", ctx.L("rem.cost"), UNIT_FORMATS["yuan"]),
        ],
        rows=rows,
        empty_text=ctx.L("rem.schools_none"),
        group_key="unit_key",
        compact=True,
    )


def _unit_row(ctx: ReportContext, r: dict[str, Any]) -> dict[str, Any]:
    """One school_remediation row in words: amounts print in the unit's own format, the statuses before and
    after the plan colour the values (as in the unit tables of part 3)."""
    amount = UNIT_FORMATS[r["unit"]]
    return {
        **r,
        "unit_key": (r["school_id"], r["stage"]),
        "stage_text": ctx.stage_name(r["stage"]),
        "plan_status_text": ctx.L(f"rem.plan.{r['plan_status']}"),
        "unit_text": ctx.L(f"unit.{r['unit']}"),
        "plan_text": _plan_text(ctx, r),
        "_fmt": {"shortfall": amount, "shortfall_to_min_ratio": amount, "addition": amount},
        "_status": {"value": r["status"], "value_after": r["status_after"]},
    }


def _plan_text(ctx: ReportContext, r: dict[str, Any]) -> str:
    """The mark of the minimum plan: what a needed_to_pass addition reaches; else why nothing is added."""
    if r["needed_to_pass"]:
        return ctx.L(f"rem.target.{r['target']}")
    return ctx.L("doc.missing" if r["status"] == "no_data" else "rem.not_needed")


def _county_table(ctx: ReportContext, county: list[dict[str, Any]]) -> Table:
    """county_remediation pivoted: one row per item, one column per stage and the county total."""
    stages = [r["stage"] for r in county]
    return Table(
        key="remediation_county",
        title=ctx.L("rem.county"),
        sheet=ctx.L("xlsx.sheet.remediation_county"),
        columns=[
            Column("item", ctx.L("kv.item")),
            Column("unit_text", ctx.L("col.unit")),
            *(
                Column(s, ctx.L("rem.county_total") if s == COUNTY_TOTAL else ctx.stage_name(s), numeric=True)
                for s in stages
            ),
        ],
        rows=[_county_item(ctx, column, unit, county) for column, unit in COUNTY_ITEMS],
        note=ctx.L("rem.county_note"),
        compact=True,
    )


def _county_item(ctx: ReportContext, column: str, unit: str | None, county: list[dict[str, Any]]) -> dict[str, Any]:
    """One row of the county table: `column` of each stage row, printed in its unit's format (a status as its word)."""
    fmt = UNIT_FORMATS[unit] if unit else "text"
    row = {
        "item": ctx.L(f"rem.item.{column}"),
        "unit_text": ctx.L(f"unit.{unit}") if unit else "",
        "_fmt": {r["stage"]: fmt for r in county},
    }
    if column == STATUS_ITEM:
        return {
            **row,
            **{r["stage"]: ctx.status(r[column]) for r in county},
            "_status": {r["stage"]: r[column] for r in county},
        }
    return {**row, **{r["stage"]: r[column] for r in county}}


def _cv_table(ctx: ReportContext, stage_rows: list[dict[str, Any]]) -> Table:
    """Each stage's r<n>_cv_before / _cv_after / _status_after as one row per indicator, against the stage's limit."""
    rows = []
    for r in stage_rows:
        for code in CV_INDICATORS:
            prefix = code.lower()
            status = r[f"{prefix}_status_after"]
            rows.append(
                {
                    "stage": r["stage"],
                    "stage_text": ctx.stage_name(r["stage"]),
                    "indicator": code,
                    "indicator_label": ctx.indicator_name(code),
                    "cv_before": r[f"{prefix}_cv_before"],
                    "cv_after": r[f"{prefix}_cv_after"],
                    "cv_limit": r["cv_limit"],
                    "status_after_text": ctx.status(status),
                    "_status": {"cv_after": status, "status_after_text": status},
                }
            )
    return Table(
        key="remediation_cv",
        title=ctx.L("rem.cv"),
        sheet=ctx.L("xlsx.sheet.remediation_cv"),
        columns=[
            Column("stage_text", ctx.L("col.stage"), group_label=True),
            Column("indicator", ctx.L("col.code")),
            Column("indicator_label", ctx.L("col.indicator")),
            Column("cv_before", ctx.L("rem.cv_before"), "cv3"),
            Column("cv_after", ctx.L("rem.cv_after"), "cv3"),
            Column("cv_limit", ctx.L("res.cv_limit"), "limit2"),
            Column("status_after_text", ctx.L("rem.cv_status_after")),
        ],
        rows=rows,
        note=ctx.L("rem.cv_note"),
        group_key="stage",
    )
