"""Turning text cells into typed canonical values, and every cell that cannot be into a rejection.

All of it is polars expressions over whole columns: a value and an error
reason per cell, computed in one pass. A row with any error is rejected;
the others go on to the cross-row checks.
"""

from __future__ import annotations

import polars as pl

from pipeline.ingest.contract import SQL_TYPES, Column, Contract, Table
from pipeline.ingest.readers import ROW

ERR = "__err_"
VAL = "__val_"
MULTIPLIED_DECIMALS = 6
STAGE_BY_GRADE = [(1, 6, "primary"), (7, 9, "junior"), (10, 12, "senior")]
POLARS_TYPES = {
    "VARCHAR": pl.String,
    "BOOLEAN": pl.Boolean,
    "BIGINT": pl.Int64,
    "INTEGER": pl.Int32,
    "DOUBLE": pl.Float64,
}


def polars_type(column: Column) -> pl.DataType:
    return POLARS_TYPES[SQL_TYPES[column.type]]


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr == "").then(None).otherwise(expr)


def _folded(expr: pl.Expr) -> pl.Expr:
    """Fold like `contract.fold`: NFKC (full-width to half-width), lower case, no spaces or underscores."""
    return expr.str.normalize("NFKC").str.to_lowercase().str.replace_all(r"[\s_]", "")


def _number(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(",", "").cast(pl.Float64, strict=False)


def _numeric_checks(column: Column, text: pl.Expr, multiplier: float) -> tuple[pl.Expr, pl.Expr]:
    if column.type == "percent":
        text = text.str.strip_suffix("%")
    number = _number(text)
    whole = column.type in ("count", "grade", "year")
    bounds = {
        "count": (0, None, "a negative count"),
        "amount": (0, None, "a negative amount"),
        "percent": (0, 100, "a percentage outside 0-100"),
        "grade": (1, 12, "a grade outside 1-12"),
        "year": (1800, 2100, "a year outside 1800-2100"),
        "positive_amount": (None, None, "not above 0"),
    }
    low, high, out_of_range = bounds[column.type]
    error = (
        pl.when(text.is_not_null() & (number.is_null() | number.is_nan() | number.is_infinite()))
        .then(pl.lit("not a number"))
        .when(pl.lit(whole) & (number != number.floor()))
        .then(pl.lit("not a whole number"))
    )
    if column.type == "positive_amount":
        error = error.when(number <= 0).then(pl.lit(out_of_range))
    if low is not None:
        error = error.when(number < low).then(pl.lit(out_of_range))
    if high is not None:
        error = error.when(number > high).then(pl.lit(out_of_range))
    # 637.56 万元 x 10,000 is 6375599.999999999 in binary floating point: round away the representation error.
    value = (number * multiplier).round(MULTIPLIED_DECIMALS) if multiplier != 1 else number
    return value.cast(polars_type(column), strict=False), error.otherwise(None)


def _lookup(contract: Contract, domain: str, text: pl.Expr) -> pl.Expr:
    mapping = contract.codes[domain]
    return _folded(text).replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.String)


def _value_and_error(contract: Contract, column: Column, multiplier: float) -> tuple[pl.Expr, pl.Expr]:
    raw = pl.col(column.name)
    if column.type == "text":
        text = _blank_to_null(raw.str.strip_chars())
        return text, pl.lit(None, pl.String)
    text = _blank_to_null(raw.str.normalize("NFKC").str.strip_chars())
    if column.default is not None:
        text = text.fill_null(pl.lit(column.default))
    kind = column.type
    if kind in ("count", "grade", "year", "amount", "positive_amount", "percent"):
        return _numeric_checks(column, text, multiplier)
    if kind == "area_code":
        valid = text.str.contains(r"^(\d{6}|\d{9}|\d{12})$")
        error = pl.when(text.is_not_null() & ~valid).then(pl.lit("not a 6-, 9- or 12-digit area code"))
        return pl.when(valid).then(text.str.slice(0, 6)), error.otherwise(None)
    if kind in ("code", "bool"):
        domain = column.domain or "bool"
        code = _lookup(contract, domain, text)
        accepted = ", ".join(contract.code_labels(domain))
        error = pl.when(text.is_not_null() & code.is_null()).then(pl.lit(f"unknown {column.name} (accepted: {accepted})"))
        value = code == "true" if kind == "bool" else code
        return value, error.otherwise(None)
    if kind == "subject":
        return pl.coalesce(_lookup(contract, "subject", text), text), pl.lit(None, pl.String)
    if kind == "room_type":
        return pl.coalesce(_lookup(contract, "room_type", text), pl.when(text.is_not_null()).then(pl.lit("other"))), pl.lit(
            None, pl.String
        )
    if kind == "pii_hash":  # hashed before normalisation, see pii.py
        return text, pl.lit(None, pl.String)
    raise ValueError(f"contract type '{kind}' of {column.table}.{column.name} has no normaliser")


def _stage_from_grade(grade: pl.Expr) -> pl.Expr:
    expr = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for low, high, stage in STAGE_BY_GRADE:
        expr = expr.when(grade.is_between(low, high)).then(pl.lit(stage))
    return expr.otherwise(None)


def _derive_class_stage(checked: pl.DataFrame) -> pl.DataFrame:
    """Stage wins over grade; a class without a stage takes its grade's, and one with neither is rejected."""
    stage = pl.coalesce(VAL + "stage", _stage_from_grade(pl.col(VAL + "grade")))
    earlier = [pl.col(ERR + c) for c in ("stage", "grade") if ERR + c in checked.columns]
    no_error = ~pl.any_horizontal(*[e.is_not_null() for e in earlier]) if earlier else pl.lit(True)
    stage_error = pl.col(ERR + "stage") if ERR + "stage" in checked.columns else pl.lit(None, pl.String)
    return checked.with_columns(
        stage.alias(VAL + "stage"),
        pl.when(stage.is_null() & no_error)
        .then(pl.lit("missing value: neither stage nor grade"))
        .otherwise(stage_error)
        .alias(ERR + "stage"),
    )


def normalise(
    frame: pl.DataFrame, contract: Contract, table: Table, multipliers: dict[str, float]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed canonical columns for the good rows, and one error row per bad cell (row, column, value, reason).

    `frame` has the canonical column names of the columns the file carries,
    `__row`, and the extras already folded into `extra`.
    """
    values: list[pl.Expr] = []
    errors: list[pl.Expr] = []
    for column in table.stored_columns:
        if column.name not in frame.columns:
            values.append(pl.lit(None, polars_type(column)).alias(VAL + column.name))
            continue
        value, error = _value_and_error(contract, column, multipliers.get(column.name, 1.0))
        if column.required or column.key_position:
            error = pl.when(value.is_null() & error.is_null()).then(pl.lit("missing value")).otherwise(error)
        values.append(value.alias(VAL + column.name))
        errors.append(error.alias(ERR + column.name))
    checked = frame.with_columns(*errors, *values)
    if table.name == "classes":
        checked = _derive_class_stage(checked)

    error_names = [c.removeprefix(ERR) for c in checked.columns if c.startswith(ERR)]
    problems = [
        checked.filter(pl.col(ERR + name).is_not_null()).select(
            pl.col(ROW),
            pl.lit(name).alias("column_name"),
            (pl.col(name) if name in frame.columns else pl.lit(None, pl.String)).alias("value"),
            pl.col(ERR + name).alias("reason"),
        )
        for name in error_names
    ]
    bad = pl.any_horizontal([pl.col(ERR + n).is_not_null() for n in error_names]) if error_names else pl.lit(False)
    good = checked.filter(~bad).select(
        ROW, "extra", *[pl.col(VAL + c.name).alias(c.stored_name) for c in table.stored_columns]
    )
    rejected = pl.concat(problems) if problems else empty_problems()
    return good, rejected


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema={ROW: pl.Int64, "column_name": pl.String, "value": pl.String, "reason": pl.String})
