"""The report's tables as an XLSX workbook (openpyxl): one sheet per table, same rows and columns as the HTML.

Each sheet: row 1 the table's title, row 2 the county and year, row 3 the column headers, data
from row 4, then the table's note. Numbers are the warehouse's exact values with an Excel number
format that prints them as the report does (0.00, 0.000, 0.0 %); words are the report's words.

Every text cell is a string cell, never a formula, whatever it starts with (a county named
`=HYPERLINK(…)`); text a spreadsheet would take for a formula once edited (= + - @ or tab first)
is also marked as text (Excel's leading apostrophe). Control characters are shown, not written.
"""

from __future__ import annotations

import re
import unicodedata
from copy import copy
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from pipeline.report.format import NUMERIC_FORMATS, XLSX_FORMATS, visible_controls
from pipeline.report.model import Report, ReportError, Table

TITLE_ROW, CONTEXT_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4

_FILLS = {
    "met": PatternFill("solid", fgColor="E6F4EA"),
    "not_met": PatternFill("solid", fgColor="FDE7E7"),
    "no_data": PatternFill("solid", fgColor="ECEFF1"),
    "qualitative": PatternFill("solid", fgColor="FFF4D6"),
    "incomplete": PatternFill("solid", fgColor="FFF4D6"),
}
_FONTS = {
    "not_met": Font(color="B3261E", bold=True),
    "met": Font(color="1B5E20"),
    "no_data": Font(color="546E7A", italic=True),
    "qualitative": Font(color="7A5600"),
    "incomplete": Font(color="7A5600"),
}
_HEADER_FILL = PatternFill("solid", fgColor="EEF2F5")
_THIN = Side(style="thin", color="CFD8DC")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_EXCLUDED_FONT = Font(color="8A959E")
# first characters that make a spreadsheet read an edited cell as a formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t")  # and CR, which is shown as ␍


def sheet_name(name: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def cell_value(table: Table, row: dict[str, Any], column) -> Any:
    """What the workbook holds: the exact number for a numeric cell, the printed text otherwise."""
    fmt = table.fmt(row, column)
    value = row.get(column.key)
    if fmt in NUMERIC_FORMATS and not isinstance(value, str):
        return value
    return table.text(row, column) if value is not None else None


class _Styles:
    """Cell styles of one workbook, built once per kind and copied: openpyxl hashes every style object
    assigned to a cell, which would dominate the time of a workbook of a few thousand cells."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Any] = {}

    def apply(self, cell, key: tuple) -> None:
        cached = self._cache.get(key)
        if cached is None:
            kind, fmt, status, excluded = key
            cell.border = _BORDER
            if kind == "header":
                cell.font = Font(bold=True)
                cell.fill = _HEADER_FILL
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            else:
                if fmt is not None:
                    cell.number_format = XLSX_FORMATS[fmt]
                    cell.alignment = Alignment(horizontal="right")
                if status in _FILLS:
                    cell.fill = _FILLS[status]
                    cell.font = _FONTS[status]
                elif excluded:
                    cell.font = _EXCLUDED_FONT
            self._cache[key] = copy(cell._style)
        else:
            cell._style = copy(cached)


def _put(ws, row: int, column: int, value: Any):
    """Write `value` into a cell and return the cell: text as a string cell with its control characters shown.

    Call it after the cell's style is set: a style copied onto the cell would drop its text mark.
    """
    cell = ws.cell(row, column)
    try:
        if not isinstance(value, str):
            cell.value = value
            return cell
        shown = visible_controls(value)
        cell.value = shown
    except ValueError as error:  # a value of a type no cell holds
        raise ReportError(
            f"工作表「{ws.title}」单元格 {cell.coordinate} 无法写入值 {_quoted(value)}",
            f"sheet {ws.title!r}, cell {cell.coordinate}: cannot write {_quoted(value)} ({error})",
        ) from error
    cell.data_type = "s"
    if shown.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell


def _quoted(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def write_table(ws, table: Table, context_line: str, styles: _Styles | None = None) -> None:
    styles = styles or _Styles()
    ncols = max(len(table.columns), 1)
    _put(ws, TITLE_ROW, 1, table.title).font = Font(bold=True, size=13)
    _put(ws, CONTEXT_ROW, 1, context_line).font = Font(color="5F6B76")
    widths = [_width(c.label) + 2 for c in table.columns]
    for j, col in enumerate(table.columns, start=1):
        styles.apply(ws.cell(HEADER_ROW, j), ("header", None, None, False))
        _put(ws, HEADER_ROW, j, col.label)
    r = FIRST_DATA_ROW
    for row in table.rows:
        excluded = row.get("_class") == "excluded"
        for j, col in enumerate(table.columns, start=1):
            value = cell_value(table, row, col)
            fmt = table.fmt(row, col)
            numeric = fmt in NUMERIC_FORMATS and isinstance(value, (int, float, Decimal))
            styles.apply(ws.cell(r, j), ("data", fmt if numeric else None, table.status(row, col), excluded))
            _put(ws, r, j, value)
            widths[j - 1] = max(widths[j - 1], _width(table.text(row, col)) + 2)
        r += 1
    if not table.rows and table.empty_text:
        _put(ws, r, 1, table.empty_text).font = Font(italic=True, color="5F6B76")
        r += 1
    if table.note:
        note = _put(ws, r + 1, 1, table.note)
        note.font = Font(italic=True, color="5F6B76")
        note.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=ncols)
        ws.row_dimensions[r + 1].height = 15 * max(
            1, min(6, _width(table.note) // max(sum(min(w, 48) for w in widths), 1) + 1)
        )
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(w, 6), 48)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 1)
    if len(table.rows) > 15:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ncols)}{HEADER_ROW + len(table.rows)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def write_workbook(report: Report, path: Path, generated_at: datetime | None = None) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    context_line = f"{report.county_label} · {report.year} · {report.title}"
    styles = _Styles()
    for table in report.tables():
        ws = wb.create_sheet(sheet_name(table.sheet, taken))
        write_table(ws, table, context_line, styles)
    wb.properties.title = visible_controls(f"{report.county_name} {report.year} {report.title}")
    wb.properties.creator = "education-equity-warehouse"
    if generated_at is not None:
        wb.properties.created = generated_at.replace(tzinfo=None)
        wb.properties.modified = generated_at.replace(tzinfo=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
