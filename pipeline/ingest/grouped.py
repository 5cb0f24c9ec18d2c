"""Reading a table's files: delimited files of one layout with one polars call, the others one by one.

A year often arrives as one file per county: 2,000 counties make 14,000
files of a few thousand rows. Read one by one, the fixed cost of each file (a
polars call, a frame of its own, tagging it for the batch) took three times
the bare read of the same bytes. Plain UTF-8 CSV and TSV files whose header
rows say the same thing (separator, rows above the header, column names) are
therefore read together: one multi-file `scan_csv` per `CHUNK_BYTES` of
files, each row carrying its file and its row number in that file.

Everything else (GB18030 or UTF-16 text, workbooks, Parquet) is read file
by file (files.py). So is a file that spoils its group's read (GB18030 past
its first lines, a line with more fields than the header, personal data
without a salt, more rows than the bound, a column of phone numbers that
other files of the group do not have): the group is read again in halves
until that file is alone, then read on its own, which reports the problem
per file and per line.
Either way the rows, row numbers, notes and refusals are the same.
"""

from __future__ import annotations

import codecs
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.ingest.checks import FILE, rows_per_file
from pipeline.ingest.contract import Contract
from pipeline.ingest.errors import FileRefused, ReadAlone
from pipeline.ingest.files import HEADER_ONLY, FileOutcome, PreparedSheet, digest, notes_of, prepare_sheet, process_file
from pipeline.ingest.readers import (
    FORMATS,
    HEAD_CHARS,
    ROW,
    Layout,
    Sheet,
    cr_only,
    delimited_layout,
    drop_blank_rows,
    scan_delimited,
    too_many_rows,
)

# Bytes of files read with one call: big enough that the call's fixed cost vanishes, small
# enough that one chunk's text (a nation's teachers come in some thirteen) is all there is.
CHUNK_BYTES = 64 << 20
# Files hashed and looked at (or read, when they are read on their own) by a few threads, up to
# READ_AHEAD_BYTES of files ahead of the reading: a few chunks, so that the reading never waits,
# and never more text than that held by files read on their own.
READ_THREADS = 3
READ_AHEAD_BYTES = 4 * CHUNK_BYTES
# Bytes decoded to find the header row: at least HEAD_CHARS characters, as when a file is read alone.
HEAD_BYTES = 4 * HEAD_CHARS
_PATH, _INDEX = "__path", "__index"


@dataclass
class Located:
    """A file `index` of the year, to be read with the other files of its layout."""

    index: int
    path: Path
    relpath: str
    sha256: str | None
    size: int
    layout: Layout
    # whether its bytes may hold control characters in values (files.digest)
    controls: bool


@dataclass
class TableRead:
    """What one read gave: the outcome of each file, and (files read together) their rows as one sheet."""

    outcomes: list[tuple[int, FileOutcome]]
    together: PreparedSheet | None = None


def _utf8_head(head: bytes, whole_file: bool) -> str | None:
    """The first lines of a file that looks like plain UTF-8 (no BOM); polars checks the rest as it reads.

    A file whose first HEAD_BYTES are blank is left to be read on its own, which tells an empty
    file from one that only starts blank; so is one whose lines end with CR alone, which polars
    would read as one line.
    """
    if not head.strip() or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or cr_only(head):
        return None
    try:  # a character cut at the end of the head is left for the decoder's next call
        return codecs.getincrementaldecoder("utf-8")().decode(head, final=whole_file)
    except UnicodeDecodeError:
        return None


def _locate(
    index: int, path: Path, relpath: str, table: str, contract: Contract, salt: str | None
) -> Located | TableRead:
    """A delimited file that looks like plain UTF-8, hashed and its layout known; any other file read on its own."""
    if FORMATS.get(path.suffix.lower()) in ("csv", "tsv"):
        try:
            with open(path, "rb") as handle:  # the head only: polars reads the file, the hash streams it
                head, size = handle.read(HEAD_BYTES), os.fstat(handle.fileno()).st_size
        except OSError:  # gone since the year's files were listed: read on its own below, which says so
            return TableRead([(index, process_file(path, relpath, table, contract, salt))])
        text = _utf8_head(head, whole_file=size <= HEAD_BYTES)
        try:
            layout = delimited_layout(path, text, contract, table) if text is not None else None
        except FileRefused:  # read on its own below, which refuses it with the same reason
            layout = None
        if layout is not None:
            sha256, controls = digest(path)
            return Located(index, path, relpath, sha256, size, layout, controls)
    return TableRead([(index, process_file(path, relpath, table, contract, salt))])


def _read_together(files: list[Located], table: str, contract: Contract, salt: str | None) -> TableRead | None:
    """One polars call for files of one layout; None when one of them must be read on its own to say why."""
    layout = files[0].layout
    paths = [str(f.path) for f in files]
    row_in_file = pl.col(_INDEX) - pl.col(_INDEX).min().over(FILE) + layout.first_data_row
    try:
        frame = (
            scan_delimited(paths, layout, file_paths=_PATH)
            .with_row_index(_INDEX)
            .with_columns(
                pl.col(_PATH).replace_strict(paths, [f.index for f in files], return_dtype=pl.Int64).alias(FILE)
            )
            .with_columns(row_in_file.cast(pl.Int64).alias(ROW))
            .drop(_INDEX, _PATH)
            .pipe(drop_blank_rows, carried=(ROW, FILE))
            .collect()
            # The scan leaves some 600 chunks per 64 MB; every later step (normalising, checks,
            # the insert) works chunk by chunk, and costs more than joining them once here.
            .rechunk()
        )
        rows = rows_per_file(frame)
        if any(too_many_rows(n) for n in rows.values()):
            return None
        together, notes = None, []
        if frame.height:
            controls = any(f.controls for f in files)
            together, notes = prepare_sheet(
                Sheet(None, frame), contract, table, salt, carried=(ROW, FILE), controls=controls
            )
    except (pl.exceptions.PolarsError, FileRefused, ReadAlone):
        return None
    outcomes = []
    for f in files:
        outcome = FileOutcome(path=f.path, relpath=f.relpath, table=table, sha256=f.sha256)
        outcome.format, outcome.encoding, outcome.rows_read = (
            FORMATS[f.path.suffix.lower()],
            "utf-8",
            rows.get(f.index, 0),
        )
        outcome.notes = notes_of(notes, f.index) if outcome.rows_read else [HEADER_ONLY]
        outcomes.append((f.index, outcome))
    return TableRead(outcomes, together)


def _read_chunk(files: list[Located], table: str, contract: Contract, salt: str | None) -> Iterator[TableRead]:
    """Read together; if that fails, each half together, down to the files that must be read alone."""
    read = _read_together(files, table, contract, salt)
    if read is not None:
        yield read
    elif len(files) == 1:
        yield TableRead([(files[0].index, process_file(files[0].path, files[0].relpath, table, contract, salt))])
    else:
        yield from _read_chunk(files[: len(files) // 2], table, contract, salt)
        yield from _read_chunk(files[len(files) // 2 :], table, contract, salt)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since the year's files were listed
        return 0


def read_table(
    raw_dir: Path, files: list[tuple[int, Path]], table: str, contract: Contract, salt: str | None
) -> Iterator[TableRead]:
    """The table's files `(index, path)` read in order: chunks of files of one layout together, others alone."""
    chunk: list[Located] = []
    size = 0
    with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
        pending: deque[tuple[int, Future[Located | TableRead]]] = deque()
        todo = iter(files)
        ahead = 0  # bytes of the files submitted and not yet taken

        def submit_ahead() -> None:
            nonlocal ahead
            while ahead < READ_AHEAD_BYTES or not pending:
                index, path = next(todo, (None, None))
                if path is None:
                    return
                relpath = path.relative_to(raw_dir).as_posix()
                pending.append((_size(path), pool.submit(_locate, index, path, relpath, table, contract, salt)))
                ahead += pending[-1][0]

        submit_ahead()
        while pending:
            bytes_taken, future = pending.popleft()
            item = future.result()
            ahead -= bytes_taken
            submit_ahead()
            if chunk and (not isinstance(item, Located) or item.layout != chunk[0].layout or size >= CHUNK_BYTES):
                yield from _read_chunk(chunk, table, contract, salt)
                chunk, size = [], 0
            if isinstance(item, Located):
                chunk.append(item)
                size += item.size
            else:
                yield item
        if chunk:
            yield from _read_chunk(chunk, table, contract, salt)
