"""What a report is made of, independent of HTML or XLSX.

A report is a list of `Section`s; a section holds blocks: `Table`, `Chart`, `Verdict`,
`Paragraph`. The HTML shows every block; the workbook has one sheet per `Table`, so the two
always hold the same tables. Rows are dicts of the warehouse's own values (full precision);
formatting happens only when rendering (`format.py`).

A row may carry presentation hints under keys starting with "_":
  _fmt:    {column key: format}   a format for this cell instead of the column's
  _status: {column key: status}   colours the cell (met / not_met / no_data / qualitative / incomplete)
  _class:  str                    a CSS class for the whole row (e.g. "excluded")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.report.format import format_value

STATUS_CLASSES = ("met", "not_met", "no_data", "qualitative", "incomplete")


class ReportError(ValueError):
    """A report that cannot be written; the message names the county and year, and for the workbook the sheet,
    the cell and the value. Chinese and English are kept apart so that an outer message can put each first."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en)  # both as arguments: a worker process's error is pickled back
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    fmt: str = "text"
    status_key: str | None = None  # a row key holding the status that colours this cell
    numeric: bool | None = None  # right-aligned; defaults to "fmt is not text"
    group_label: bool = False  # HTML: printed on the first row of its table's group only (like a merged cell)

    @property
    def is_numeric(self) -> bool:
        return self.numeric if self.numeric is not None else self.fmt != "text"


@dataclass
class Table:
    key: str  # stable identifier: HTML id "t-<key>", tests find tables by it
    title: str
    sheet: str  # workbook sheet name (≤ 31 characters)
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str | None = None
    empty_text: str | None = None
    group_key: str | None = None  # rows with the same value of this key are shaded as one group
    compact: bool = False
    side_by_side: bool = False  # HTML: two consecutive side_by_side tables share a row

    def fmt(self, row: dict[str, Any], column: Column) -> str:
        return row.get("_fmt", {}).get(column.key, column.fmt)

    def status(self, row: dict[str, Any], column: Column) -> str | None:
        explicit = row.get("_status", {}).get(column.key)
        if explicit is not None:
            return explicit
        return row.get(column.status_key) if column.status_key else None

    def text(self, row: dict[str, Any], column: Column) -> str:
        return format_value(row.get(column.key), self.fmt(row, column))


@dataclass
class Chart:
    key: str
    title: str
    svg: str
    note: str | None = None
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)


@dataclass
class Verdict:
    status: str  # met / not_met / incomplete
    title: str
    text: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Paragraph:
    text: str
    css: str = ""


Block = Table | Chart | Verdict | Paragraph


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass
class Report:
    county_code: str
    county_name: str
    year: int
    lang: str
    title: str
    subtitle: str
    meta: list[tuple[str, str]]
    sections: list[Section]
    notes: list[str]
    basis: str = ""
    county_label: str = ""  # "name（code）" / "name (code)"

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables()]

    def table(self, key: str) -> Table:
        for t in self.tables():
            if t.key == key:
                return t
        raise KeyError(key)
