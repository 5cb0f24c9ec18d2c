"""Personal data never reaches the warehouse as given.

Names are dropped as soon as the header is matched; ID-card numbers are
replaced by a salted SHA-256 (computed by DuckDB over the whole column) before
any other step sees them, so neither the raw tables, the extras nor the
rejected-row records can carry them.
"""

from __future__ import annotations

import duckdb
import polars as pl

from pipeline.ingest.contract import Table
from pipeline.ingest.errors import FileRefused

SALT_VARIABLE = "EQUITY_PII_SALT"


def protect_personal_data(frame: pl.DataFrame, table: Table, salt: str | None) -> pl.DataFrame:
    dropped = [c.name for c in table.columns if c.type == "pii_drop" and c.name in frame.columns]
    if dropped:
        frame = frame.drop(dropped)
    for column in (c for c in table.columns if c.type == "pii_hash" and c.name in frame.columns):
        if frame.get_column(column.name).str.strip_chars().replace("", None).null_count() == frame.height:
            continue
        if not salt:
            raise FileRefused(
                f"the file carries personal ID numbers ({column.name}) and no salt is set: "
                f"set the environment variable {SALT_VARIABLE} to a secret string (the same every year, "
                f"so hashed IDs stay comparable) and run again"
            )
        frame = frame.with_columns(salted_hash(frame.get_column(column.name), salt))
    return frame


def salted_hash(values: pl.Series, salt: str) -> pl.Series:
    with duckdb.connect() as con:
        con.register("ids", pl.DataFrame({"v": values}))
        hashed = con.sql(
            "SELECT CASE WHEN nullif(trim(v), '') IS NULL THEN NULL "
            "ELSE sha256($salt || upper(replace(trim(v), ' ', ''))) END AS h FROM ids",
            params={"salt": salt},
        ).pl()
    return hashed.get_column("h").alias(values.name)
