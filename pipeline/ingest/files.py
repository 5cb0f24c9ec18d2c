"""One census file through reading, header matching, personal-data protection and normalisation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.ingest.contract import Contract
from pipeline.ingest.errors import FileRefused
from pipeline.ingest.headers import match_headers
from pipeline.ingest.normalise import normalise
from pipeline.ingest.pii import protect_personal_data
from pipeline.ingest.readers import ROW, FileContent, Sheet, read_census_file

SHEET = "__sheet"
RECORD = "record"


@dataclass
class FileOutcome:
    path: Path
    relpath: str
    table: str | None
    sha256: str
    format: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    good: pl.DataFrame | None = None
    # one row per problem: __sheet, __row, column_name, value, reason, record
    problems: pl.DataFrame | None = None
    refused: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problems_schema() -> dict[str, pl.DataType]:
    return {SHEET: pl.String, ROW: pl.Int64, "column_name": pl.String, "value": pl.String, "reason": pl.String, RECORD: pl.String}


def _record_json(frame: pl.DataFrame) -> pl.Expr:
    columns = [c for c in frame.columns if c != ROW]
    return pl.struct(columns).struct.json_encode().alias(RECORD) if columns else pl.lit(None, pl.String).alias(RECORD)


def _process_sheet(sheet: Sheet, contract: Contract, table: str, salt: str | None, personal: bool) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    spec = contract.tables[table]
    headers = [c for c in sheet.frame.columns if c != ROW]
    match = match_headers(contract, table, headers)
    frame = sheet.frame.rename(match.canonical)
    extra = pl.struct(match.extras).struct.json_encode() if match.extras else pl.lit(None, pl.String)
    frame = frame.with_columns(extra.alias("extra")).drop(match.extras)
    frame = protect_personal_data(frame, spec, salt)
    good, problems = normalise(frame, contract, spec, match.multipliers)
    if problems.height:
        records = frame.join(problems.select(ROW).unique(), on=ROW).select(ROW, _record_json(frame))
        problems = problems.join(records, on=ROW, how="left")
    else:
        problems = problems.with_columns(pl.lit(None, pl.String).alias(RECORD))
    if sheet.malformed:
        withheld = "line withheld: the file has personal-data columns"
        problems = pl.concat(
            [
                problems,
                pl.DataFrame(
                    {
                        ROW: [m.row for m in sheet.malformed],
                        "column_name": [None] * len(sheet.malformed),
                        "value": [None if personal else m.text for m in sheet.malformed],
                        "reason": [f"malformed line: {m.reason}" + (f" ({withheld})" if personal else "") for m in sheet.malformed],
                        RECORD: [None] * len(sheet.malformed),
                    },
                    schema={k: v for k, v in problems_schema().items() if k != SHEET},
                ),
            ]
        )
    label = pl.lit(sheet.name, pl.String).alias(SHEET)
    notes = [f"optional columns absent: {', '.join(match.missing_optional)}"] if match.missing_optional else []
    if match.extras:
        notes.append(f"extra columns kept in `extra`: {', '.join(match.extras)}")
    return good.with_columns(label), problems.with_columns(label).select(list(problems_schema())), notes


def process_file(path: Path, relpath: str, table: str, contract: Contract, salt: str | None) -> FileOutcome:
    outcome = FileOutcome(path=path, relpath=relpath, table=table, sha256=sha256_of(path))
    try:
        content: FileContent = read_census_file(path, contract, table)
        outcome.format, outcome.encoding, outcome.rows_read = content.format, content.encoding, content.rows_read
        personal = any(c.type.startswith("pii") for c in contract.tables[table].columns)
        goods, problems = [], []
        for sheet in content.sheets:
            try:
                good, bad, notes = _process_sheet(sheet, contract, table, salt, personal)
            except FileRefused as refused:
                where = f"sheet '{sheet.name}': " if sheet.name else ""
                raise FileRefused(where + refused.reason) from refused
            goods.append(good)
            problems.append(bad)
            outcome.notes.extend(n for n in notes if n not in outcome.notes)
        if content.skipped_sheets:
            outcome.notes.append(f"sheets without a header row, skipped: {', '.join(content.skipped_sheets)}")
        outcome.good = pl.concat(goods, how="vertical_relaxed")
        outcome.problems = pl.concat(problems) if problems else pl.DataFrame(schema=problems_schema())
    except FileRefused as refused:
        outcome.refused = refused.reason
        outcome.good = None
    return outcome
