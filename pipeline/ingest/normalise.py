"""Turning text cells into typed canonical values, and every cell that cannot be into a rejection.

All of it is polars expressions over whole columns, in three passes so that
no sub-expression is computed twice: clean the text (trim; fold full-width
characters only in columns that have any non-ASCII text), parse it (numbers,
code lookups), then decide the typed value and the error reason of each cell.
A row with any error is rejected; the others go on to the cross-row checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from pipeline.ingest.contract import SQL_TYPES, Column, Contract, Table
from pipeline.ingest.readers import ROW

TXT, PARSED, ERR = "__txt_", "__parsed_", "__err_"
BAD = "__bad"
# 637.56 万元 x 10,000 is 6375599.999999999 in binary floating point: round away the representation error.
MULTIPLIED_DECIMALS = 6
STAGE_BY_GRADE = [(1, 6, "primary"), (7, 9, "junior"), (10, 12, "senior")]
NUMERIC = {"count", "grade", "year", "amount", "positive_amount", "percent"}
WHOLE = {"count", "grade", "year"}
# Identifiers and names: nearly every cell differs, so they are parsed row by row.
FREE_TEXT = {"text", "pii_hash"}
# Parse each distinct text once when there are at most this many per row.
FEW_DISTINCT = 0.2
# contract type -> (lowest allowed, highest allowed, strictly above the lowest, reason when outside)
BOUNDS = {
    "count": (0, None, False, "a negative count"),
    "amount": (0, None, False, "a negative amount"),
    "positive_amount": (0, None, True, "not above 0"),
    "percent": (0, 100, False, "a percentage outside 0-100"),
    "grade": (1, 12, False, "a grade outside 1-12"),
    "year": (1800, 2100, False, "a year outside 1800-2100"),
}
POLARS_TYPES = {
    "VARCHAR": pl.String,
    "BOOLEAN": pl.Boolean,
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "DOUBLE": pl.Float64,
}
# A comma is read only as a thousands separator, in exactly this form; any other comma makes the number ambiguous
# ('4,5' students: 45, or 4.5?; '1.234,5': a European 1234.5?).
THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$"
AMBIGUOUS_NUMBER = (
    "含糊的数字 '{}'（逗号只可作千位分隔符，如 1,234） / "
    "ambiguous number '{}' (a comma is accepted only as a thousands separator, as in 1,234)"
)
# A bare value in (0, 1] of a percentage column is a fraction or a percent (0.97: 97 % or 0.97 %?); with its % sign
# it is not. Each cell is judged on its own, so that a file reads the same whatever its other rows hold.
AMBIGUOUS_PERCENT = (
    "含糊的百分比 '{}'：是比例（{}%）还是百分数（{}%）？请带上百分号，写成 {}% 或 {}% "
    "/ ambiguous percentage '{}': a fraction ({}%) or a percent ({}%)? write it with its sign, {}% or {}%"
)
# C0 control characters but the tab, DEL and the C1 controls: they mean nothing in a census value, and break
# workbooks and terminals. A line break (inside a quoted value) becomes a space, the others are removed.
CONTROL = r"[\x00-\x08\x0A-\x1F\x7F-\x{9F}]"
LINE_BREAK = r"\r\n|[\r\n]"


def polars_type(column: Column) -> pl.DataType:
    return POLARS_TYPES[SQL_TYPES[column.type]]


def _cleaned(column: Column, needs_folding: bool) -> pl.Expr:
    """Trimmed text, null when empty; full-width folded to half-width (NFKC) except in free text."""
    text = pl.col(column.name)
    if needs_folding and column.type != "text":
        text = text.str.normalize("NFKC")
    text = text.str.strip_chars()
    text = pl.when(text == "").then(None).otherwise(text)
    return text.fill_null(pl.lit(column.default)) if column.default is not None else text


def _lookup(contract: Contract, domain: str, text: pl.Expr) -> pl.Expr:
    """The canonical code of a label, folded like headers: case, spaces and underscores ignored."""
    mapping = contract.codes[domain]
    folded = text.str.to_lowercase().str.replace_all(r"[\s_]", "")
    return folded.replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.String)


def _parsed(contract: Contract, column: Column, multiplier: float) -> pl.Expr:
    text = pl.col(TXT + column.name)
    kind = column.type
    if kind in NUMERIC:
        if kind == "percent":
            text = text.str.strip_suffix("%").str.strip_chars()
        plain = pl.when(_ambiguous_comma(text)).then(None).otherwise(text.str.replace_all(",", "", literal=True))
        number = plain.cast(pl.Float64, strict=False)
        return (number * multiplier).round(MULTIPLIED_DECIMALS) if multiplier != 1 else number
    if kind == "area_code":
        return pl.when(text.str.contains(r"^(?:\d{6}|\d{9}|\d{12})$")).then(text.str.slice(0, 6))
    if kind in ("code", "bool"):
        return _lookup(contract, column.domain or "bool", text)
    if kind == "subject":
        return pl.coalesce(_lookup(contract, "subject", text), text)
    if kind == "room_type":
        return pl.coalesce(_lookup(contract, "room_type", text), pl.when(text.is_not_null()).then(pl.lit("other")))
    if kind in ("text", "pii_hash"):  # personal IDs arrive already hashed, see pii.py
        return text
    raise ValueError(f"contract type '{kind}' of {column.table}.{column.name} has no parser")


def _ambiguous_comma(text: pl.Expr) -> pl.Expr:
    plain = text.str.strip_suffix("%").str.strip_chars()
    return plain.str.contains(",", literal=True) & ~plain.str.contains(THOUSANDS)


def _ambiguous_percent(text: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """The reason for a bare value in (0, 1] of a percentage column, naming both readings."""
    as_fraction = (parsed * 100).round(MULTIPLIED_DECIMALS).cast(pl.String).str.replace(r"\.0$", "")
    as_percent = parsed.cast(pl.String).str.replace(r"\.0$", "")
    readings = [as_fraction, as_percent, as_fraction, as_percent]
    return pl.format(AMBIGUOUS_PERCENT, text, *readings, text, *readings)


def _error(contract: Contract, column: Column) -> pl.Expr:
    text, parsed = pl.col(TXT + column.name), pl.col(PARSED + column.name)
    given = text.is_not_null()
    error = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    if column.type in NUMERIC:
        low, high, strict, outside = BOUNDS[column.type]
        error = error.when(given & _ambiguous_comma(text)).then(pl.format(AMBIGUOUS_NUMBER, text, text))
        error = error.when(given & (parsed.is_null() | parsed.is_nan() | parsed.is_infinite())).then(
            pl.lit("not a number")
        )
        if column.type == "percent":
            bare_fraction = ~text.str.ends_with("%") & (parsed > 0) & (parsed <= 1)
            error = error.when(bare_fraction).then(_ambiguous_percent(text, parsed))
        if column.type in WHOLE:
            error = error.when(parsed != parsed.floor()).then(pl.lit("not a whole number"))
        error = error.when((parsed <= low) if strict else (parsed < low)).then(pl.lit(outside))
        if high is not None:
            error = error.when(parsed > high).then(pl.lit(outside))
    elif column.type == "area_code":
        error = error.when(given & parsed.is_null()).then(pl.lit("not a 6-, 9- or 12-digit area code"))
    elif column.type in ("code", "bool"):
        domain = column.domain or "bool"
        accepted = ", ".join(contract.code_labels(domain))
        error = error.when(given & parsed.is_null()).then(pl.lit(f"unknown {column.name} (accepted: {accepted})"))
    if column.required or column.key_position:
        error = error.when(parsed.is_null()).then(pl.lit("missing value"))
    return error.otherwise(None)


def _value(column: Column) -> pl.Expr:
    parsed = pl.col(PARSED + column.name)
    if column.type == "bool":
        return parsed == "true"
    return parsed.cast(polars_type(column), strict=False)


def _stage_from_grade(grade: pl.Expr) -> pl.Expr:
    expr = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for low, high, stage in STAGE_BY_GRADE:
        expr = expr.when(grade.is_between(low, high)).then(pl.lit(stage))
    return expr.otherwise(None)


def _derive_class_stage(checked: pl.LazyFrame, given: list[str]) -> pl.LazyFrame:
    """Stage wins over grade; a class without a stage takes its grade's, and one with neither is rejected."""
    grade = pl.col(PARSED + "grade") if "grade" in given else pl.lit(None, pl.Float64)
    stage = pl.coalesce(PARSED + "stage", _stage_from_grade(grade))
    earlier = [pl.col(ERR + c).is_not_null() for c in ("stage", "grade") if c in given]
    no_error = ~pl.any_horizontal(earlier) if earlier else pl.lit(True)
    stage_error = pl.col(ERR + "stage") if "stage" in given else pl.lit(None, pl.String)
    return checked.with_columns(
        stage.alias(PARSED + "stage"),
        pl.when(stage.is_null() & no_error)
        .then(pl.lit("missing value: neither stage nor grade"))
        .otherwise(stage_error)
        .alias(ERR + "stage"),
    )


def remove_controls(frame: pl.DataFrame, columns: list[str], carried: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The frame without control characters in `columns`, and where they were: the `carried` columns and `column`.

    One pass looks for them in every column; only a column that has any is searched again and cleaned.
    """
    found = frame.select(pl.col(c).str.contains(CONTROL).any() for c in columns).row(0) if columns else ()
    hit = [c for c, any_found in zip(columns, found) if any_found]
    where = [frame.filter(pl.col(c).str.contains(CONTROL)).select(*carried, pl.lit(c).alias("column")) for c in hit]
    cleaned = frame.with_columns(pl.col(c).str.replace_all(LINE_BREAK, " ").str.replace_all(CONTROL, "") for c in hit)
    empty = pl.DataFrame(schema={**{c: frame.schema[c] for c in carried}, "column": pl.String})
    return cleaned, pl.concat([empty, *where])


def _has_non_ascii(values: pl.Series) -> bool:
    return bool((values.str.len_bytes() != values.str.len_chars()).any())


def _checked(
    frame: pl.DataFrame, contract: Contract, present: list[Column], multipliers: dict[str, float]
) -> pl.LazyFrame:
    """The parsed value (`__parsed_`) and error reason (`__err_`) of every present column.

    A column with few distinct texts (codes, flags, most counts: a nation's 10 million teachers
    have a dozen stage or degree labels) is cleaned, parsed and checked once per distinct text,
    and each cell takes its text's result by position (an Enum cast, then a gather): string
    folding, regex and lookups on every row were most of the ingestion's time. All three depend
    on the cell alone, so the results are the same either way; so does the decision to fold
    full-width characters, which looks at the column's texts, all of them or each once.
    """
    mapped, per_row = [], []
    for column in present:
        multiplier = multipliers.get(column.name, 1.0)
        parsed, error = PARSED + column.name, ERR + column.name
        if column.type not in FREE_TEXT:
            distinct = frame.get_column(column.name).unique().drop_nulls()
            if len(distinct) + 1 <= FEW_DISTINCT * frame.height:
                texts = pl.concat([distinct, pl.Series([None], dtype=pl.String)])  # the empty cell last
                table = (
                    texts.to_frame()
                    .with_columns(_cleaned(column, _has_non_ascii(distinct)).alias(TXT + column.name))
                    .with_columns(_parsed(contract, column, multiplier).alias(parsed))
                    .with_columns(_error(contract, column).alias(error))
                )
                position = pl.col(column.name).cast(pl.Enum(distinct)).to_physical().fill_null(len(distinct))
                mapped += [pl.lit(table.get_column(name)).gather(position).alias(name) for name in (parsed, error)]
                continue
        folding = column.type != "text" and _has_non_ascii(frame.get_column(column.name))
        per_row.append(
            (
                column,
                _cleaned(column, folding).alias(TXT + column.name),
                _parsed(contract, column, multiplier).alias(parsed),
            )
        )
    return (
        frame.lazy()
        .with_columns(*mapped, *(clean for _, clean, _ in per_row))
        .with_columns(parse for _, _, parse in per_row)
        .with_columns(_error(contract, column).alias(ERR + column.name) for column, _, _ in per_row)
    )


def normalise(
    frame: pl.DataFrame, contract: Contract, table: Table, multipliers: dict[str, float], carry: Sequence[str] = (ROW,)
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed canonical columns for the good rows, and one error row per bad cell (row, column, value, reason).

    `frame` has the canonical names of the columns the file carries, `__row`,
    and the extra columns already folded into `extra`. The `carry` columns
    (`__row`, and for a batch of files which file and sheet) lead both results.
    """
    if table.name == "classes" and "stage" not in frame.columns:  # derived from grade below
        frame = frame.with_columns(pl.lit(None, pl.String).alias("stage"))
    present = [c for c in table.stored_columns if c.name in frame.columns]
    absent = [c for c in table.stored_columns if c.name not in frame.columns]
    checked = _checked(frame, contract, present, multipliers)
    if table.name == "classes":
        checked = _derive_class_stage(checked, frame.columns)
    checked = checked.with_columns(pl.any_horizontal([pl.col(ERR + c.name).is_not_null() for c in present]).alias(BAD))
    good = (
        checked.filter(~pl.col(BAD))
        .select(
            *carry,
            "extra",
            *[_value(c).alias(c.stored_name) for c in present],
            *[pl.lit(None, polars_type(c)).alias(c.stored_name) for c in absent],
        )
        .select(*carry, "extra", *[c.stored_name for c in table.stored_columns])
    )
    # Bad rows are few: the problems of each column are picked from them, not from the whole frame.
    bad = checked.filter(pl.col(BAD)).select(*carry, *[c.name for c in present], *[ERR + c.name for c in present])
    good, bad = pl.collect_all([good, bad])  # one pass: the cleaning and parsing are shared by both
    problems = [
        bad.filter(pl.col(ERR + c.name).is_not_null()).select(
            *carry,
            pl.lit(c.name).alias("column_name"),
            pl.col(c.name).alias("value"),
            pl.col(ERR + c.name).alias("reason"),
        )
        for c in present
    ]
    if not problems:
        return good, pl.DataFrame(schema={**{c: frame.schema[c] for c in carry}, **empty_problems().drop(ROW).schema})
    return good, pl.concat(problems)


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.Int64, "column_name": pl.String, "value": pl.String, "reason": pl.String})
