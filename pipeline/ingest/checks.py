"""Row checks that need more than one row: duplicate keys, orphans, stages a school does not teach.

They run on all rows of a table across the year's files (a duplicate can sit
in two county files), after the per-cell normalisation.
"""

from __future__ import annotations

import polars as pl

from pipeline.ingest.contract import Contract, Table
from pipeline.ingest.files import RECORD, SHEET
from pipeline.ingest.readers import ROW

FILE = "__file"
ORDER = [FILE, SHEET, ROW]


def rows_per_file(frame: pl.DataFrame) -> dict[int, int]:
    """Rows of each `__file`. Grouping the frame itself would first join its chunks, every column of it."""
    return dict(frame.select(FILE).group_by(FILE).len().iter_rows())


def _rejections(
    rows: pl.DataFrame, column: str | None, value: pl.Expr, reason: pl.Expr, data_columns: list[str]
) -> pl.DataFrame:
    return rows.select(
        FILE,
        SHEET,
        ROW,
        pl.lit(column, pl.String).alias("column_name"),
        value.cast(pl.String).alias("value"),
        reason.alias("reason"),
        pl.struct(data_columns).struct.json_encode().alias(RECORD),
    )


def reject_duplicates(frame: pl.DataFrame, table: Table, file_names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An exact copy is loaded once; rows that share a key but differ are all rejected."""
    key = table.key
    data = [c.stored_name for c in table.stored_columns]
    if not key or frame.height == 0:
        return frame, empty_rejections()
    frame = frame if _in_file_order(frame) else frame.sort(ORDER)
    if keys_are_unique([frame], table):
        return frame, empty_rejections()
    # Only rows whose key occurs more than once need the whole-row comparison.
    repeated = frame.select((pl.len().over(key) > 1).alias("repeated")).to_series()
    if not repeated.any():
        return frame, empty_rejections()
    single, shared = frame.filter(~repeated), frame.filter(repeated)
    flagged = shared.with_columns(
        pl.struct(data).n_unique().over(key).alias("__versions"),
        pl.int_range(pl.len()).over(data).alias("__copy"),
        pl.col(FILE).first().over(data).alias("__first_file"),
        pl.col(ROW).first().over(data).alias("__first_row"),
    )
    conflict = pl.col("__versions") > 1
    copy = ~conflict & (pl.col("__copy") > 0)
    key_text = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator="/")
    first_file = pl.col("__first_file").replace_strict(list(range(len(file_names))), file_names, return_dtype=pl.String)
    rejected = pl.concat(
        [
            _rejections(
                flagged.filter(conflict),
                "/".join(key),
                key_text,
                pl.lit(f"duplicate key ({', '.join(key)}): rows with this key differ, so all of them are rejected"),
                data,
            ),
            _rejections(
                flagged.filter(copy),
                "/".join(key),
                key_text,
                pl.format("exact duplicate of {} row {}", first_file, pl.col("__first_row")),
                data,
            ),
        ]
    )
    kept = pl.concat(
        [single, flagged.filter(~conflict & ~copy).drop("__versions", "__copy", "__first_file", "__first_row")]
    ).sort(ORDER)
    return kept, rejected


def keys_are_unique(frames: list[pl.DataFrame], table: Table) -> bool:
    """Whether no key occurs twice in the rows of `frames` (True for a table without a key).

    Keys whose hashes all differ all differ (the usual case): counting hashes is a fifth of the cost
    of counting 10 million text keys. Equal hashes only mean the keys must be compared.
    """
    if not table.key:
        return True
    keys = pl.concat([f.select(table.key) for f in frames]) if frames else pl.DataFrame()
    return keys.height == 0 or keys.select(pl.struct(table.key).hash().n_unique()).item() == keys.height


def _in_file_order(frame: pl.DataFrame) -> bool:
    """Whether the rows are already sorted by file, sheet and row: sorting 10 million rows costs seconds.

    Rows arrive in that order from CSV and Parquet files (no sheets); workbooks are sorted.
    """
    if frame.get_column(SHEET).null_count() != frame.height:
        return False
    return (frame.get_column(FILE) * (1 << 32) + frame.get_column(ROW)).is_sorted()


def reject_orphans_and_stages(
    frame: pl.DataFrame, table: Table, schools: pl.DataFrame, contract: Contract
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rows of a school not loaded this year, and rows of a stage the school's type does not teach.

    Only the school and stage columns are looked up, and the frame is filtered only when a row
    is rejected: joining and filtering the whole frame copied every batch of the 10 million
    teachers twice over, to reject nothing. A school's type is required, so a row whose
    school has none is a row of a school not loaded.
    """
    if "school_id" not in frame.columns or frame.height == 0:
        return frame, empty_rejections()
    data = [c.stored_name for c in table.stored_columns]
    school_type = frame.get_column("school_id").replace_strict(
        schools.get_column("school_id"), schools.get_column("school_type"), default=None, return_dtype=pl.String
    )
    orphan = school_type.is_null()
    rejected = orphan
    if "stage" in data:
        taught = pl.Series([f"{t}/{s}" for t, stages in contract.school_stages.items() for s in stages]).implode()
        stage = frame.get_column("stage")
        rejected = orphan | ((stage != "all") & ~(school_type + "/" + stage).is_in(taught)).fill_null(False)
    if not rejected.any():
        return frame, empty_rejections()
    flagged = frame.filter(rejected).with_columns(
        school_type.filter(rejected).alias("__type"), orphan.filter(rejected).alias("__orphan")
    )
    orphans = _rejections(
        flagged.filter(pl.col("__orphan")),
        "school_id",
        pl.col("school_id"),
        pl.format("school_id {} is not among this year's loaded schools", pl.col("school_id")),
        data,
    )
    if "stage" not in data:
        return frame.filter(~rejected), orphans
    return frame.filter(~rejected), pl.concat(
        [orphans, _stage_rejections(flagged.filter(~pl.col("__orphan")), contract, data)]
    )


def _stage_rejections(flagged: pl.DataFrame, contract: Contract, data: list[str]) -> pl.DataFrame:
    """Rows of a loaded school whose stage its type does not teach (`__type` is the school's type)."""
    stages = pl.col("__type").replace_strict(
        list(contract.school_stages), ["/".join(v) for v in contract.school_stages.values()], return_dtype=pl.String
    )
    return _rejections(
        flagged,
        "stage",
        pl.col("stage"),
        pl.format(
            "stage {} is not taught by school {} (type {} teaches {})",
            pl.col("stage"),
            pl.col("school_id"),
            pl.col("__type"),
            stages,
        ),
        data,
    )


def empty_rejections() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            FILE: pl.Int64,
            SHEET: pl.String,
            ROW: pl.Int64,
            "column_name": pl.String,
            "value": pl.String,
            "reason": pl.String,
            RECORD: pl.String,
        }
    )
