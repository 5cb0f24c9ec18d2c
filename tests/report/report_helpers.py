"""Reading a report back: its workbook (openpyxl) and its HTML tables (html.parser), independently of the report code.

`excel_text(value, number_format)` prints a number the way Excel shows it for the few formats the
workbook uses (half-up rounding of the decimal value), so a test can check that the workbook
displays what the HTML prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import load_workbook

from pipeline.report.labels import label

HEADER_ROW, FIRST_DATA_ROW = 3, 4


@dataclass
class Sheet:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    formats: list[list[str]]

    def col(self, header: str) -> int:
        return self.headers.index(header)

    def column(self, header: str) -> list[Any]:
        j = self.col(header)
        return [r[j] for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.headers, r)) for r in self.rows]


def read_workbook(path: Path) -> dict[str, Sheet]:
    """{sheet title (row 1): Sheet}; data rows end at the first row whose first cell is empty."""
    wb = load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        headers = [c.value for c in ws[HEADER_ROW] if c.value is not None]
        rows, formats = [], []
        for r in range(FIRST_DATA_ROW, ws.max_row + 1):
            cells = [ws.cell(r, j + 1) for j in range(len(headers))]
            if all(c.value is None for c in cells):
                break
            if len(headers) > 1 and all(c.value is None for c in cells[1:]) and r == FIRST_DATA_ROW:
                break  # the "none" line of an empty table
            rows.append([c.value for c in cells])
            formats.append([c.number_format for c in cells])
        sheets[ws.cell(1, 1).value] = Sheet(ws.title, ws.cell(1, 1).value, headers, rows, formats)
    return sheets


def L(key: str, lang: str = "zh", **fields: object) -> str:
    return label(key, lang, **fields)


# ----------------------------------------------------------------------------------------------
# HTML
# ----------------------------------------------------------------------------------------------


@dataclass
class HtmlTable:
    key: str
    title: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # (data-key, text)
    rows: list[list[tuple[str, str, str]]] = field(default_factory=list)  # (data-key, text, class)

    def records(self) -> list[dict[str, str]]:
        return [{k: text for k, text, _ in row} for row in self.rows]

    def classes(self) -> list[dict[str, str]]:
        return [{k: css for k, _, css in row} for row in self.rows]


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, HtmlTable] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._table: HtmlTable | None = None
        self._cell: list[str] | None = None
        self._cell_attrs: dict[str, str | None] = {}
        self._row: list[tuple[str, str, str]] | None = None
        self._in_head = False
        self._figure_title: list[str] | None = None
        self._last_title = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "h3":
            self._figure_title = []
        if tag == "table" and a.get("data-table"):
            self._table = HtmlTable(a["data-table"], self._last_title)
            self.tables[self._table.key] = self._table
        elif self._table is not None:
            if tag == "thead":
                self._in_head = True
            elif tag == "tr" and not self._in_head:
                self._row = []
            elif tag in ("th", "td"):
                self._cell, self._cell_attrs = [], a

    def handle_endtag(self, tag):
        if tag == "h3" and self._figure_title is not None:
            self._last_title = "".join(self._figure_title).strip()
            self._figure_title = None
        if self._table is None:
            return
        if tag == "table":
            self._table = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            key = self._cell_attrs.get("data-key") or ""
            if tag == "th":
                self._table.headers.append((key, text))
            elif self._row is not None:
                self._row.append((key, text, self._cell_attrs.get("class") or ""))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._figure_title is not None:
            self._figure_title.append(data)


def read_html(path: Path) -> tuple[dict[str, HtmlTable], list[tuple[str, dict[str, str | None]]]]:
    parser = _TableParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return parser.tables, parser.tags


# ----------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------


def half_up(value: float, places: int, grouped: bool = False) -> str:
    d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{abs(d) if d == 0 else d:{',' if grouped else ''}.{places}f}"


def excel_text(value: Any, number_format: str) -> str:
    """How Excel shows `value` under the number formats the workbook uses."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if number_format == "0.0%":
        return half_up(float(Decimal(repr(float(value))) * 100), 1) + "%"
    if number_format == "+0.000;-0.000;0.000":
        text = half_up(value, 3)
        return text if text.startswith("-") or Decimal(text) == 0 else "+" + text
    if number_format == "General":
        return f"{Decimal(repr(float(value))).normalize():f}" if isinstance(value, float) else str(value)
    if number_format in ("0", "0.0", "0.00", "0.000", "0.0000", "0.00000"):
        return half_up(value, len(number_format) - 2 if "." in number_format else 0)
    if number_format in ("#,##0", "#,##0.00"):  # amounts: thousands grouped
        return half_up(value, len(number_format.partition(".")[2]), grouped=True)
    raise AssertionError(f"unexpected number format {number_format!r}")


def same(a, b):
    """The stored value, not a rounded copy: the workbook keeps the warehouse's numbers (openpyxl writes
    16 significant digits, hence the tolerance of a few units in the last place)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-14, abs_tol=1e-300)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
