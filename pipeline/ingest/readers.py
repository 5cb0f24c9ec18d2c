"""Reading one census file, whatever its format and encoding, into text columns with row numbers.

Every value is read as text so that nothing is guessed before normalisation
(leading zeros of IDs survive, a stray label in a count column is reported
rather than turned into a null). `__row` is the row number a person sees when
opening the file: the header is the row above the first data row, title rows
above it count; in Parquet, which has no header row, the first record is row 1.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import openpyxl
import polars as pl

from pipeline.ingest.contract import Contract
from pipeline.ingest.errors import FileRefused
from pipeline.ingest.headers import find_header_row
from pipeline.settings import max_rows_per_file, max_unpacked_bytes, max_value_chars

ROW = "__row"
FORMATS = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".parquet": "parquet"}
# The text in which a delimited file's header row is looked for.
HEAD_CHARS = 65536
# Control characters are left out of header names, as they are removed from values (normalise.py).
CONTROL_IN_HEADER = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# The csv module's own bound on a field (128 KiB) would stop a line it cannot split with an error; a value's length
# is bounded by EQUITY_MAX_VALUE_CHARS instead, which rejects its row (files.py).
csv.field_size_limit(2**31 - 1)


@dataclass
class Malformed:
    """A line that could not be split into the header's columns: its text (cut past the bound on a value), its length."""

    row: int
    text: str
    reason: str
    length: int = 0


@dataclass
class Sheet:
    name: str | None
    frame: pl.DataFrame
    malformed: list[Malformed] = field(default_factory=list)


@dataclass
class FileContent:
    format: str
    encoding: str | None
    sheets: list[Sheet]
    skipped_sheets: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(s.frame.height + len(s.malformed) for s in self.sheets)


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as error:
            first_error = first_error or error
    assert first_error is not None
    line = raw[: first_error.start].count(b"\n") + 1
    raise FileRefused(
        f"undecodable bytes at line {line} (byte offset {first_error.start}): "
        f"the file is neither UTF-8 nor GB18030/GBK; save it again as UTF-8 or GB18030"
    )


def too_many_rows(rows: int) -> FileRefused | None:
    """The refusal of a file of more data rows than EQUITY_MAX_ROWS_PER_FILE allows, if it has more."""
    limit = max_rows_per_file()
    if rows <= limit:
        return None
    return FileRefused(
        f"文件超过 {limit:,} 行（上限由 EQUITY_MAX_ROWS_PER_FILE 设定）：请按县拆分 / "
        f"the file has more than {limit:,} rows (the limit set by EQUITY_MAX_ROWS_PER_FILE): split it by county"
    )


def _check_rows(rows: int) -> None:
    if (refused := too_many_rows(rows)) is not None:
        raise refused


def cr_only(head: bytes | str) -> bool:
    """Whether text breaks its lines with CR alone (old Mac Excel exports), which polars does not read as lines."""
    return ("\r" in head and "\n" not in head) if isinstance(head, str) else (b"\r" in head and b"\n" not in head)


def _unique_names(cells: list[object]) -> list[str]:
    names: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = CONTROL_IN_HEADER.sub("", str(cell)).strip() if cell is not None else ""
        name = name or f"column_{position}"
        while name in names:
            name = f"{name}_{position}"
        names.append(name)
    return names


def _separator(path: Path, header_line: str) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


@dataclass(frozen=True)
class Layout:
    """How a delimited file's text is laid out: files of one layout are read with one polars call (grouped.py)."""

    separator: str
    # lines above the header row (titles, notes), and the header row's column names
    header_index: int
    names: tuple[str, ...]

    @property
    def first_data_row(self) -> int:
        return self.header_index + 2


def delimited_layout(path: Path, text: str, contract: Contract, table: str) -> Layout:
    """The layout of a delimited file from its first lines of text."""
    head_lines = text[:HEAD_CHARS].splitlines()[:10]
    separator = _separator(path, next((line for line in head_lines if line.strip()), ""))
    head_rows = list(csv.reader(head_lines, delimiter=separator))
    header_index = find_header_row(contract, table, head_rows)
    if header_index is None:
        raise FileRefused(f"no header row with a known column of table '{table}' in the first lines")
    return Layout(separator, header_index, tuple(_unique_names(head_rows[header_index])))


def scan_delimited(source: bytes | list[str], layout: Layout, file_paths: str | None = None) -> pl.LazyFrame:
    """Every data line below the header as text columns; `file_paths` names a column of each row's file."""
    return pl.scan_csv(
        source,
        has_header=False,
        skip_rows=layout.header_index + 1,
        new_columns=list(layout.names),
        schema={name: pl.String for name in layout.names},
        separator=layout.separator,
        include_file_paths=file_paths,
    )


def drop_blank_rows(
    frame: pl.DataFrame | pl.LazyFrame, carried: tuple[str, ...] = (ROW,)
) -> pl.DataFrame | pl.LazyFrame:
    """Rows with no value in any column of the file (the `carried` columns are ours, not the file's)."""
    return frame.filter(~pl.all_horizontal(pl.exclude(*carried).is_null()))


def _read_delimited(path: Path, contract: Contract, table: str) -> FileContent:
    raw = path.read_bytes()
    if not raw.strip():
        raise FileRefused("empty file")
    text, encoding = decode(raw)
    text = text.lstrip("\ufeff")
    if cr_only(text):
        text = text.replace("\r", "\n")
    layout = delimited_layout(path, text, contract, table)
    data = raw if encoding == "utf-8" and not cr_only(raw) else text.encode("utf-8")
    del raw
    try:
        # One lazy query, not three eager steps; one row past the bound is enough to refuse.
        frame = (
            scan_delimited(data, layout)
            .with_row_index(ROW, offset=layout.first_data_row)
            .with_columns(pl.col(ROW).cast(pl.Int64))
            .pipe(drop_blank_rows)
            .head(max_rows_per_file() + 1)
            .collect()
        )
        sheet = Sheet(None, frame)
    except pl.exceptions.PolarsError:
        del data
        sheet = _read_ragged(text, layout.separator, list(layout.names), layout.header_index, layout.first_data_row)
    _check_rows(sheet.frame.height + len(sheet.malformed))
    return FileContent(format=FORMATS[path.suffix.lower()], encoding=encoding, sheets=[sheet])


def _read_ragged(text: str, separator: str, names: list[str], header_index: int, first_data_row: int) -> Sheet:
    """The slow path for files whose lines do not all fit the header: keep the lines that do."""
    good: list[list[str | None]] = []
    rows: list[int] = []
    malformed: list[Malformed] = []
    lines = text.splitlines()
    reader = csv.reader(lines[header_index + 1 :], delimiter=separator)
    for offset, fields in enumerate(reader):
        row = first_data_row + offset
        if not any(f.strip() for f in fields):
            continue
        if len(fields) > len(names) and any(f.strip() for f in fields[len(names) :]):
            line = lines[header_index + 1 + offset]
            reason = f"{len(fields)} fields, the header has {len(names)}"
            malformed.append(Malformed(row, line[: max_value_chars() + 1], reason, len(line)))
            continue
        fields = (fields + [""] * len(names))[: len(names)]
        good.append([f if f != "" else None for f in fields])
        rows.append(row)
    frame = pl.DataFrame(good, schema={name: pl.String for name in names}, orient="row")
    return Sheet(None, frame.with_columns(pl.Series(ROW, rows, dtype=pl.Int64)), malformed)


def _first_used_rows(path: Path) -> dict[str, int]:
    """The spreadsheet row where each sheet's used range starts (calamine starts its grid there)."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: (ws.min_row or 1) for ws in workbook.worksheets}
    finally:
        workbook.close()


def _check_unpacked_size(path: Path) -> None:
    """Refuse a workbook whose zip members unpack to more than EQUITY_MAX_UNPACKED_BYTES, before anything is unpacked.

    The sizes are those the zip's directory declares: a zip bomb of a few megabytes declares its gigabytes.
    """
    try:
        with zipfile.ZipFile(path) as workbook:
            members = workbook.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise FileRefused(f"not a readable XLSX workbook: {error}") from error
    limit, total = max_unpacked_bytes(), sum(m.file_size for m in members)
    if total > limit:
        largest = max(members, key=lambda m: m.file_size)
        raise FileRefused(
            f"工作簿解压后有 {total:,} 字节，超过上限 {limit:,}（EQUITY_MAX_UNPACKED_BYTES），最大的部分是 {largest.filename}"
            f"（{largest.file_size:,} 字节）：请拆分工作簿或另存为 CSV / the workbook unpacks to {total:,} bytes, more than "
            f"the limit of {limit:,} (EQUITY_MAX_UNPACKED_BYTES); its largest part is {largest.filename} "
            f"({largest.file_size:,} bytes): split it or save it as CSV"
        )


def _read_xlsx(path: Path, contract: Contract, table: str) -> FileContent:
    _check_unpacked_size(path)
    try:
        reader = fastexcel.read_excel(str(path))
        first_rows = _first_used_rows(path)
    except Exception as error:  # the Excel libraries raise many kinds
        raise FileRefused(f"not a readable XLSX workbook: {error}") from error
    sheets: list[Sheet] = []
    skipped: list[str] = []
    for name in reader.sheet_names:
        grid = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        header_index = find_header_row(contract, table, grid.head(10).rows())
        if header_index is None:
            skipped.append(name)
            continue
        names = _unique_names(list(grid.row(header_index)))
        frame = (
            grid.slice(header_index + 1)
            .rename(dict(zip(grid.columns, names)))
            .with_row_index(ROW, offset=first_rows.get(name, 1) + header_index + 1)
            .with_columns(pl.col(ROW).cast(pl.Int64))
            .pipe(drop_blank_rows)
        )
        sheets.append(Sheet(name, frame))
    if not sheets:
        raise FileRefused(
            f"no sheet has a header row with a known column of table '{table}' (sheets: {', '.join(skipped)})"
        )
    _check_rows(sum(s.frame.height for s in sheets))
    return FileContent(format="xlsx", encoding=None, sheets=sheets, skipped_sheets=skipped)


def _read_parquet(path: Path) -> FileContent:
    try:
        rows = pl.scan_parquet(path).select(pl.len()).collect().item()  # from the file's metadata: nothing is unpacked
    except Exception as error:  # pyarrow/polars raise several kinds for a damaged file
        raise FileRefused(f"not a readable Parquet file: {error}") from error
    _check_rows(rows)
    try:
        frame = pl.read_parquet(path)
        frame = frame.select(pl.all().cast(pl.String))
    except Exception as error:  # pyarrow/polars raise several kinds for a damaged file
        raise FileRefused(f"not a readable Parquet file: {error}") from error
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return FileContent(format="parquet", encoding=None, sheets=[Sheet(None, frame)])


def read_census_file(path: Path, contract: Contract, table: str) -> FileContent:
    kind = FORMATS.get(path.suffix.lower())
    if kind in ("csv", "tsv"):
        return _read_delimited(path, contract, table)
    if kind == "xlsx":
        return _read_xlsx(path, contract, table)
    if kind == "parquet":
        return _read_parquet(path)
    raise FileRefused(f"unsupported file type '{path.suffix}': use .csv, .tsv, .xlsx or .parquet")
