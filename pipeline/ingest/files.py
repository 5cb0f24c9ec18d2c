"""One census file (or many read together) through reading, header matching and the checks that must come first.

Before any other step sees the values: control characters are removed,
personal data is dropped or hashed (pii.py), and rows with a value over the
length bound are taken out as rejections. Normalising the cells is not done
here but for many files of a table at once (batches.py): a year often
arrives as one file per county, thousands of small files, and polars' fixed
cost per call would then exceed the work.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.ingest.contract import Contract
from pipeline.ingest.errors import FileRefused
from pipeline.ingest.headers import match_headers
from pipeline.ingest.normalise import remove_controls
from pipeline.ingest.pii import CANDIDATE_BYTES, find_personal, protect
from pipeline.ingest.readers import ROW, FileContent, Malformed, Sheet, read_census_file
from pipeline.settings import max_value_chars

SHEET = "__sheet"
RECORD = "record"
# A file with its header and no data rows is a legitimate "no rows of this table" (a county without rooms).
HEADER_ONLY = (
    "表头之下没有数据行：本表在此文件中没有记录 / a header row and no data rows: the table has no rows in this file"
)
# How much of a value over the length bound is kept in `audit.rejected_rows`, and how many cells a note names.
PREVIEW_CHARS = 200
CONTROL_EXAMPLES = 5
TOO_LONG = (
    "值过长：{} 个字符，上限 {}（EQUITY_MAX_VALUE_CHARS） / "
    "value too long: {} characters, the limit is {} (EQUITY_MAX_VALUE_CHARS)"
)


@dataclass
class PreparedSheet:
    """A sheet with canonical column names, its unknown columns folded into `extra`, personal data protected.

    Rows with a value over the length bound are already taken out, as rejections (`rejected`).
    """

    name: str | None
    # canonical columns, `extra` and `__row`, every value still text
    frame: pl.LazyFrame
    columns: tuple[str, ...]
    rows: int
    # canonical column -> multiplier of its values (万元 -> 元)
    multipliers: dict[str, float]
    malformed: list[Malformed] = field(default_factory=list)
    # the rows taken out before normalisation: the carried columns, then column_name, value, reason, record
    rejected: pl.DataFrame | None = None
    # whether the sheet had personal data: its malformed lines are then withheld
    personal: bool = False


@dataclass
class FileOutcome:
    path: Path
    relpath: str
    table: str | None
    # None for what is never read (a folder, a device, a link out of the raw folder)
    sha256: str | None
    format: str | None = None
    encoding: str | None = None
    rows_read: int = 0
    # ready for normalisation; emptied once normalised, so that a year's text is not kept
    sheets: list[PreparedSheet] = field(default_factory=list)
    refused: str | None = None
    notes: list[str] = field(default_factory=list)


# Notes of a read, in the order they are given: (None, note) is every file's, (index, note) one file's of a
# read-together frame. A file's notes are those of None and of its index, in that order: as when read alone.
Notes = list[tuple[int | None, str]]
# Bytes that cannot be a control character in UTF-8 or GB18030 text: all but C0 (the tab aside) and DEL.
_NOT_CONTROL = bytes(b for b in range(256) if b == 0x09 or 0x20 <= b < 0x7F or b >= 0x80)
# C1 controls in UTF-8 (C2 80-9F). Text in other encodings is searched value by value (process_file).
_C1 = re.compile(rb"\xc2[\x80-\x9f]")


def sha256_of(path: Path, root: Path | None = None) -> str | None:
    """The file's sha256; None, unread, for what is not a regular file or (given the raw folder `root`) lies outside it."""
    return digest(path, root)[0]


def digest(path: Path, root: Path | None = None) -> tuple[str | None, bool]:
    """The file's sha256, and whether its bytes may hold control characters in values (see `_may_hold_controls`)."""
    target = Path(os.path.realpath(path))
    if not target.is_file() or (root is not None and not target.is_relative_to(Path(os.path.realpath(root)))):
        return None, False
    sha, controls = hashlib.sha256(), False
    with open(target, "rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            controls = controls or _may_hold_controls(chunk)
    return sha.hexdigest(), controls


def _may_hold_controls(chunk: bytes) -> bool:
    """Whether UTF-8 text may hold a control character in a value: looked for in the bytes, a pass far cheaper than
    searching every value. A line break counts only where values can be quoted (it may be inside one)."""
    controls = chunk.translate(None, _NOT_CONTROL)
    if controls.translate(None, b"\r\n") or (controls and b'"' in chunk) or chunk.endswith(b"\xc2"):
        return True
    return b"\xc2" in chunk and _C1.search(chunk) is not None  # the regex only where it can match


def problems_schema() -> dict[str, pl.DataType]:
    return {
        SHEET: pl.String,
        ROW: pl.Int64,
        "column_name": pl.String,
        "value": pl.String,
        "reason": pl.String,
        RECORD: pl.String,
    }


def _lengths(frame: pl.DataFrame, columns: list[str]) -> tuple[dict[str, int], set[str]]:
    """The longest value of each column in bytes, and the columns with a value as long as an ID or phone number.

    One pass over the cells' lengths serves both (lengths are kept beside the text: nothing is decoded).
    """
    if not columns or frame.height == 0:
        return {}, set()
    low, high = CANDIDATE_BYTES
    stats = (
        frame.lazy()
        .select(
            *[pl.col(c).str.len_bytes().max().alias(f"max {c}") for c in columns],
            *[pl.col(c).str.len_bytes().is_between(low, high).any().alias(f"any {c}") for c in columns],
        )
        .collect()
        .row(0, named=True)
    )
    return {c: stats[f"max {c}"] or 0 for c in columns}, {c for c in columns if stats[f"any {c}"]}


def split_too_long(
    frame: pl.DataFrame, columns: list[str], extras: list[str], carried: tuple[str, ...], longest: dict[str, int]
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Take out the rows with a value over the length bound, as rejections naming the first such column.

    The value is stored once, cut to a preview; the row's record has the other values and `extra`, not that one,
    so a line of hundreds of megabytes costs a few hundred bytes in `audit.rejected_rows`.
    """
    limit = max_value_chars()
    # A value is never more characters than bytes: only columns with a value of more bytes are looked at.
    is_long = {c: pl.col(c).str.len_chars() > limit for c in columns if longest.get(c, 0) > limit}
    if not is_long:
        return frame, None
    picked = pl.any_horizontal(is_long.values())
    long_rows = frame.filter(picked)
    if long_rows.height == 0:
        return frame, None
    preview = min(limit, PREVIEW_CHARS)
    column = pl.coalesce(pl.when(long).then(pl.lit(c)) for c, long in is_long.items())
    length = pl.coalesce(pl.when(long).then(pl.col(c).str.len_chars()) for c, long in is_long.items())
    value = pl.coalesce(pl.when(long).then(pl.col(c).str.slice(0, preview) + "…") for c, long in is_long.items())
    reason = pl.format(TOO_LONG, length, pl.lit(limit), length, pl.lit(limit))
    kept = {c: pl.when(is_long[c]).then(None).otherwise(pl.col(c)) if c in is_long else pl.col(c) for c in columns}
    record = pl.struct(
        *[kept[c].alias(c) for c in columns if c not in extras], _extra(extras, kept)
    ).struct.json_encode()
    rejected = long_rows.select(
        *carried, column.alias("column_name"), value.alias("value"), reason.alias("reason"), record.alias(RECORD)
    )
    return frame.filter(~picked), rejected


def _extra(extras: list[str], values: dict[str, pl.Expr] | None = None) -> pl.Expr:
    """The extra columns as one JSON text (`values` gives other expressions for some of them)."""
    if not extras:
        return pl.lit(None, pl.String).alias("extra")
    values = values or {}
    return pl.struct(values.get(h, pl.col(h)).alias(h) for h in extras).struct.json_encode().alias("extra")


def notes_of(notes: Notes, file: int | None = None) -> list[str]:
    """The notes of one file (of every file: `file` None)."""
    return [note for of, note in notes if of is None or of == file]


def _control_notes(where: pl.DataFrame, sheet: str | None, file_column: str | None) -> Notes:
    """A note per file naming the first cells whose control characters were removed."""
    notes: Notes = []
    if where.height == 0:
        return notes
    in_sheet_zh, in_sheet_en = (f"工作表「{sheet}」", f"sheet '{sheet}' ") if sheet else ("", "")
    groups = where.group_by(file_column, maintain_order=True) if file_column else [((None,), where)]
    for (file,), cells in groups:
        cells = cells.sort(ROW, maintain_order=True)
        first = cells.head(CONTROL_EXAMPLES).rows(named=True)
        zh = "、".join(f"列「{c['column']}」第 {c[ROW]} 行" for c in first)
        en = ", ".join(f"column '{c['column']}' row {c[ROW]}" for c in first)
        more_zh, more_en = ("", "")
        if cells.height > len(first):
            more_zh, more_en = f"等，共 {cells.height} 处", f" and more, {cells.height} cells in all"
        notes.append(
            (
                file,
                f"{in_sheet_zh}控制字符已删除：{zh}{more_zh} / {in_sheet_en}control characters removed: {en}{more_en}",
            )
        )
    return notes


def prepare_sheet(
    sheet: Sheet,
    contract: Contract,
    table: str,
    salt: str | None,
    carried: tuple[str, ...] = (ROW,),
    controls: bool = True,
) -> tuple[PreparedSheet, Notes]:
    """Canonical names, control characters removed, personal data protected, over-long rows out, extras folded.

    `carried` are our columns, not the file's (`__row`, and in a read of many files together which file);
    `controls` says whether the file's bytes may hold control characters at all (`digest`).
    """
    spec = contract.tables[table]
    file_column = next((c for c in carried if c != ROW), None)
    headers = [c for c in sheet.frame.columns if c not in carried]
    match = match_headers(contract, table, headers)
    frame = sheet.frame.rename(match.canonical)
    data = [c for c in frame.columns if c not in carried]
    where = None
    if controls:
        frame, where = remove_controls(frame, data, list(carried))
    longest, candidates = _lengths(frame, data)
    header_of = {canonical: header for header, canonical in match.canonical.items()}
    findings = find_personal(frame, contract, spec, header_of, match.extras, file_column, candidates)
    frame = protect(frame, findings, salt, file_column)
    # Personal data first: the note a clerk must not miss.
    notes: Notes = [(file, finding.note()) for finding in findings for file in sorted(finding.files or [None])]
    if where is not None:
        notes += _control_notes(where, sheet.name, file_column)
    dropped = {f.column for f in findings if f.action == "drop"}
    extras = [h for h in match.extras if h not in dropped]
    data = [c for c in frame.columns if c not in carried]
    frame, rejected = split_too_long(frame, data, extras, carried, longest)
    frame = frame.with_columns(_extra(extras)).drop(extras)
    if match.missing_optional:
        notes.append((None, f"optional columns absent: {', '.join(match.missing_optional)}"))
    if extras:
        notes.append((None, f"extra columns kept in `extra`: {', '.join(extras)}"))
    prepared = PreparedSheet(
        sheet.name,
        frame.lazy(),
        tuple(frame.columns),
        sheet.frame.height,
        match.multipliers,
        sheet.malformed,
        rejected=rejected,
        personal=bool(findings),
    )
    return prepared, notes


def process_file(path: Path, relpath: str, table: str, contract: Contract, salt: str | None) -> FileOutcome:
    """Read a file and match its headers; a file-level problem refuses it (`refused` says why)."""
    try:
        sha256, controls = digest(path)
    except OSError as error:  # gone since the year's files were listed
        sha256, controls = None, False
        unreadable: str | None = f"文件无法读取 / the file cannot be read: {error.strerror or error}"
    else:
        unreadable = None if sha256 else "不是普通文件 / not a regular file"
    outcome = FileOutcome(path=path, relpath=relpath, table=table, sha256=sha256, refused=unreadable)
    if unreadable:
        return outcome
    try:
        content: FileContent = read_census_file(path, contract, table)
        outcome.format, outcome.encoding, outcome.rows_read = content.format, content.encoding, content.rows_read
        for sheet in content.sheets:
            try:
                # Only UTF-8 bytes say that no value has control characters; other encodings are searched value by value.
                maybe = controls or content.encoding not in ("utf-8", "utf-8-sig")
                prepared, notes = prepare_sheet(sheet, contract, table, salt, controls=maybe)
            except FileRefused as refused:
                where = f"sheet '{sheet.name}': " if sheet.name else ""
                raise FileRefused(where + refused.reason) from refused
            outcome.sheets.append(prepared)
            outcome.notes.extend(n for n in notes_of(notes) if n not in outcome.notes)
        if content.rows_read == 0:
            outcome.notes.append(HEADER_ONLY)
        if content.skipped_sheets:
            outcome.notes.append(f"sheets without a header row, skipped: {', '.join(content.skipped_sheets)}")
    except FileRefused as refused:
        outcome.refused = refused.reason
        outcome.sheets = []
    return outcome
