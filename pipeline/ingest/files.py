"""One census file through reading, header matching and personal-data protection.

Normalising the cells is not done here but for many files of a table at once
(batches.py): a year often arrives as one file per county, thousands of
small files, and polars' fixed cost per call would then exceed the work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.ingest.contract import Contract
from pipeline.ingest.errors import FileRefused
from pipeline.ingest.headers import match_headers
from pipeline.ingest.pii import protect_personal_data
from pipeline.ingest.readers import ROW, FileContent, Malformed, Sheet, read_census_file

SHEET = "__sheet"
RECORD = "record"
# A file with its header and no data rows is a legitimate "no rows of this table" (a county without rooms).
HEADER_ONLY = "表头之下没有数据行：本表在此文件中没有记录 / a header row and no data rows: the table has no rows in this file"


@dataclass
class PreparedSheet:
    """A sheet with canonical column names, its unknown columns folded into `extra`, personal data protected.

    The renaming is a lazy query, run with the rest of its batch: one polars
    call per file fewer, which at 14,000 county files is seconds.
    """

    name: str | None
    # canonical columns, `extra` and `__row`, every value still text
    frame: pl.LazyFrame
    columns: tuple[str, ...]
    rows: int
    # canonical column -> multiplier of its values (万元 -> 元)
    multipliers: dict[str, float]
    malformed: list[Malformed] = field(default_factory=list)


@dataclass
class FileOutcome:
    path: Path
    relpath: str
    table: str | None
    sha256: str
    format: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    # ready for normalisation; emptied once normalised, so that a year's text is not kept
    sheets: list[PreparedSheet] = field(default_factory=list)
    refused: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def problems_schema() -> dict[str, pl.DataType]:
    return {SHEET: pl.String, ROW: pl.Int64, "column_name": pl.String, "value": pl.String, "reason": pl.String, RECORD: pl.String}


def prepare_sheet(
    sheet: Sheet, contract: Contract, table: str, salt: str | None, carried: tuple[str, ...] = (ROW,)
) -> tuple[PreparedSheet, list[str]]:
    """Canonical names, extras folded, personal data protected; `carried` are our columns, not the file's."""
    spec = contract.tables[table]
    headers = [c for c in sheet.frame.columns if c not in carried]
    match = match_headers(contract, table, headers)
    extra = pl.struct(match.extras).struct.json_encode() if match.extras else pl.lit(None, pl.String)
    frame = sheet.frame.lazy().rename(match.canonical).with_columns(extra.alias("extra")).drop(match.extras)
    if any(c.type.startswith("pii") and c.name in match.canonical.values() for c in spec.columns):
        frame = protect_personal_data(frame.collect(), spec, salt).lazy()  # now, before any other step sees them
    notes = [f"optional columns absent: {', '.join(match.missing_optional)}"] if match.missing_optional else []
    if match.extras:
        notes.append(f"extra columns kept in `extra`: {', '.join(match.extras)}")
    columns = tuple(frame.collect_schema().names())
    return PreparedSheet(sheet.name, frame, columns, sheet.frame.height, match.multipliers, sheet.malformed), notes


def process_file(path: Path, relpath: str, table: str, contract: Contract, salt: str | None) -> FileOutcome:
    """Read a file and match its headers; a file-level problem refuses it (`refused` says why)."""
    outcome = FileOutcome(path=path, relpath=relpath, table=table, sha256=sha256_of(path))
    try:
        content: FileContent = read_census_file(path, contract, table)
        outcome.format, outcome.encoding, outcome.rows_read = content.format, content.encoding, content.rows_read
        for sheet in content.sheets:
            try:
                prepared, notes = prepare_sheet(sheet, contract, table, salt)
            except FileRefused as refused:
                where = f"sheet '{sheet.name}': " if sheet.name else ""
                raise FileRefused(where + refused.reason) from refused
            outcome.sheets.append(prepared)
            outcome.notes.extend(n for n in notes if n not in outcome.notes)
        if content.rows_read == 0:
            outcome.notes.append(HEADER_ONLY)
        if content.skipped_sheets:
            outcome.notes.append(f"sheets without a header row, skipped: {', '.join(content.skipped_sheets)}")
    except FileRefused as refused:
        outcome.refused = refused.reason
        outcome.sheets = []
    return outcome
