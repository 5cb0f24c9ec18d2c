"""Normalising the sheets of many files of a table together: one polars pass per batch, not per file.

A year often arrives as one file per county: 2,000 counties make 14,000
files of a few thousand rows. Normalised one by one, polars' fixed cost per
call (some thirty calls per file) takes longer than the work itself. Sheets
whose columns and multipliers are the same are therefore stacked, tagged
with their file and sheet (files read together by grouped.py arrive stacked
and tagged with their file), and normalised at once; a batch is flushed at
`BATCH_ROWS` rows so that only one batch of text is in memory at a time.

The result is the same as file by file: each cell is normalised on its own
(only the decision to fold full-width characters looks at a whole column,
and folding leaves ASCII text unchanged). Problems come out in file, sheet
and row order; good rows batch by batch as they are normalised (`take_good`),
so that they are checked and written while the next files are read.
"""

from __future__ import annotations

import polars as pl

from pipeline.ingest.checks import FILE
from pipeline.ingest.contract import Contract
from pipeline.ingest.files import PREVIEW_CHARS, RECORD, SHEET, FileOutcome, PreparedSheet, problems_schema
from pipeline.ingest.normalise import CONTROL, normalise
from pipeline.ingest.pii import looks_personal
from pipeline.ingest.readers import ROW
from pipeline.settings import max_value_chars

# Which sheet of its file a row comes from (0, 1, ... in the workbook's order), to keep file order.
SHEET_NO = "__sheet_no"
# A problem's place within its sheet: the column's position in the contract, malformed lines last.
PLACE = "__place"
CARRY = (FILE, SHEET_NO, SHEET, ROW)
BATCH_ROWS = 250_000


class TableNormaliser:
    """Collects the files of one table (`add`), normalises them in batches, returns rows and problems (`finish`)."""

    def __init__(self, contract: Contract, table: str) -> None:
        self.contract = contract
        self.spec = contract.tables[table]
        self.personal = any(c.type.startswith("pii") for c in self.spec.columns)
        self.places = {c.name: i for i, c in enumerate(self.spec.stored_columns)}
        self.pending: dict[tuple, list[pl.LazyFrame]] = {}
        self.pending_rows: dict[tuple, int] = {}
        self.good: list[pl.DataFrame] = []
        self.problems: list[pl.DataFrame] = []

    def add(self, file_index: int, outcome: FileOutcome) -> None:
        """Queue the sheets of a file that was read; the outcome lets go of its text."""
        for sheet_no, sheet in enumerate(outcome.sheets):
            self._queue(file_index, sheet_no, sheet)
        outcome.sheets = []

    def add_read_together(self, sheet: PreparedSheet) -> None:
        """Queue the rows of files read with one call (grouped.py): they carry their `__file`."""
        tags = [pl.lit(0, pl.Int64).alias(SHEET_NO), pl.lit(None, pl.String).alias(SHEET)]
        if sheet.rejected is not None:
            self.problems.append(self._placed(sheet.rejected.with_columns(tags)))
        self._enqueue(
            (sheet.columns, tuple(sorted(sheet.multipliers.items()))), sheet.frame.with_columns(tags), sheet.rows
        )

    def _queue(self, file_index: int, sheet_no: int, sheet: PreparedSheet) -> None:
        tags = [
            pl.lit(file_index, pl.Int64).alias(FILE),
            pl.lit(sheet_no, pl.Int64).alias(SHEET_NO),
            pl.lit(sheet.name, pl.String).alias(SHEET),
        ]
        if sheet.malformed:
            self.problems.append(self._malformed(sheet).with_columns(tags))
        if sheet.rejected is not None:
            self.problems.append(self._placed(sheet.rejected.with_columns(tags)))
        signature = (sheet.columns, tuple(sorted(sheet.multipliers.items())))
        self._enqueue(signature, sheet.frame.with_columns(tags), sheet.rows)

    def _placed(self, problems: pl.DataFrame) -> pl.DataFrame:
        """Problems with their column's place in the contract (an extra column's after the contract's)."""
        place = pl.col("column_name").replace_strict(self.places, default=len(self.places), return_dtype=pl.Int64)
        return problems.with_columns(place.alias(PLACE))

    def _enqueue(self, signature: tuple, frame: pl.LazyFrame, rows: int) -> None:
        self.pending.setdefault(signature, []).append(frame)
        self.pending_rows[signature] = self.pending_rows.get(signature, 0) + rows
        if self.pending_rows[signature] >= BATCH_ROWS:
            self._flush(signature)

    def _malformed(self, sheet: PreparedSheet) -> pl.DataFrame:
        """The lines that could not be split: their text, control characters removed and cut past the bound on a value,
        withheld when the file has personal data or the line holds a number like an ID or phone number."""
        limit = max_value_chars()
        preview = min(limit, PREVIEW_CHARS)
        lines = pl.DataFrame(
            [(m.row, m.text, m.length, m.reason) for m in sheet.malformed],
            schema={ROW: pl.Int64, "text": pl.String, "length": pl.Int64, "why": pl.String},
            orient="row",
        )
        text = pl.col("text").str.replace_all(CONTROL, "")
        withheld = pl.lit(sheet.personal or self.personal) | looks_personal(text)
        too_long = pl.col("length") > limit
        reason = pl.concat_str(
            pl.format("malformed line: {}", pl.col("why")),
            pl.when(too_long).then(
                pl.format(
                    "; 该行 {} 个字符，只保留前 {} 个 / the line is {} characters, the first {} kept",
                    pl.col("length"),
                    pl.lit(preview),
                    pl.col("length"),
                    pl.lit(preview),
                )
            ),
            pl.when(withheld).then(pl.lit(" (line withheld: the file has personal data)")),
            ignore_nulls=True,
        )
        value = pl.when(withheld).then(None).when(too_long).then(text.str.slice(0, preview) + "…").otherwise(text)
        return lines.select(
            ROW,
            pl.lit(None, pl.String).alias("column_name"),
            value.alias("value"),
            reason.alias("reason"),
            pl.lit(None, pl.String).alias(RECORD),
            pl.lit(len(self.places), pl.Int64).alias(PLACE),
        )

    def _flush(self, signature: tuple) -> None:
        frames = self.pending.pop(signature)
        self.pending_rows.pop(signature)
        batch = pl.concat(frames, how="vertical_relaxed").collect()
        del frames
        good, problems = normalise(batch, self.contract, self.spec, dict(signature[1]), carry=CARRY)
        self.good.append(good)
        if problems.height:
            data = [c for c in batch.columns if c not in CARRY]
            keys = [FILE, SHEET_NO, ROW]
            records = batch.join(problems.select(keys).unique(), on=keys).select(
                *keys,
                pl.struct(data).struct.json_encode().alias(RECORD) if data else pl.lit(None, pl.String).alias(RECORD),
            )
            problems = problems.join(records, on=keys, how="left").with_columns(
                pl.col("column_name").replace_strict(self.places, return_dtype=pl.Int64).alias(PLACE)
            )
            self.problems.append(problems)

    def take_good(self) -> list[pl.DataFrame]:
        """The good rows of the batches normalised so far (with `__file`, `__sheet`, `__row`), handed over once.

        Batches come in file order when the sheets of one column set follow each other (CSV and
        Parquet files, one-sheet workbooks); the cross-row checks that need the order sort first.
        """
        good, self.good = self.good, []
        return [batch.drop(SHEET_NO) for batch in good]

    def finish(self) -> pl.DataFrame:
        """Normalise what is still queued; the problems of every batch, in file, sheet, column and row order.

        The good rows of the last batches are then left for `take_good`.
        """
        for signature in list(self.pending):
            self._flush(signature)
        columns = [FILE, *problems_schema()]
        if not self.problems:
            return pl.DataFrame(schema={FILE: pl.Int64, **problems_schema()})
        problems = pl.concat([p.select(*columns, SHEET_NO, PLACE) for p in self.problems], how="vertical_relaxed")
        return problems.sort(FILE, SHEET_NO, PLACE, ROW, maintain_order=True).select(columns)
