"""The census contract as data.

The column list, the header aliases and the accepted code labels live in three
CSV files beside the package (`contract_columns.csv`, `column_aliases.csv`,
`code_aliases.csv`) so that a new export format or a new label is a new row,
not new code. This module reads them once and answers lookups.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# The SQL type of each contract type in the `raw` tables.
SQL_TYPES = {
    "text": "VARCHAR",
    "area_code": "VARCHAR",
    "code": "VARCHAR",
    "subject": "VARCHAR",
    "room_type": "VARCHAR",
    "bool": "BOOLEAN",
    "count": "BIGINT",
    "grade": "INTEGER",
    "year": "INTEGER",
    "amount": "DOUBLE",
    "positive_amount": "DOUBLE",
    "percent": "DOUBLE",
    "pii_hash": "VARCHAR",
}

# Personal data: a `pii_hash` column is stored under this name, a `pii_drop` column not at all.
HASHED_NAME_SUFFIX = "_hash"


@lru_cache(maxsize=1 << 16)  # the same headers come back in every county file of a year
def fold(text: str) -> str:
    """Fold a header or code for matching: full-width to half-width, case, spaces and underscores ignored."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return "".join(ch for ch in folded if not ch.isspace() and ch != "_")


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    type: str
    required: bool
    # Required together with another column of the same group: at least one must be present.
    required_group: str | None
    domain: str | None
    key_position: int | None
    # The value of an empty cell (a facilities row with no stage is the whole school's).
    default: str | None = None

    @property
    def stored_name(self) -> str | None:
        if self.type == "pii_drop":
            return None
        if self.type == "pii_hash":
            return self.name.removesuffix("_number") + HASHED_NAME_SUFFIX
        return self.name


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> list[str]:
        keyed = sorted((c for c in self.columns if c.key_position), key=lambda c: c.key_position)
        return [c.name for c in keyed]

    @property
    def stored_columns(self) -> list[Column]:
        return [c for c in self.columns if c.stored_name]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class HeaderTarget:
    column: str
    multiplier: float


@dataclass
class Contract:
    tables: dict[str, Table]
    # table -> folded header -> target column
    headers: dict[str, dict[str, HeaderTarget]]
    # domain -> folded label -> canonical code
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    # school_type code -> stages it teaches
    school_stages: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def code_labels(self, domain: str) -> list[str]:
        return sorted(set(self.codes[domain].values()))


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(PACKAGE_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def load_contract() -> Contract:
    columns: dict[str, list[Column]] = {}
    for row in _read_csv("contract_columns.csv"):
        required = row["required"]
        columns.setdefault(row["table"], []).append(
            Column(
                table=row["table"],
                name=row["column"],
                type=row["type"],
                required=required == "yes",
                required_group=required if required not in ("", "yes") else None,
                domain=row["domain"] or None,
                key_position=int(row["key"]) if row["key"] else None,
                default=row["default"] or None,
            )
        )
    tables = {name: Table(name, tuple(cols)) for name, cols in columns.items()}

    headers: dict[str, dict[str, HeaderTarget]] = {name: {} for name in tables}
    for table in tables.values():
        for col in table.columns:
            headers[table.name][fold(col.name)] = HeaderTarget(col.name, 1.0)
    for row in _read_csv("column_aliases.csv"):
        headers[row["table"]][fold(row["alias"])] = HeaderTarget(row["column"], float(row["multiplier"] or 1))

    codes: dict[str, dict[str, str]] = {}
    for row in _read_csv("code_aliases.csv"):
        codes.setdefault(row["domain"], {})[fold(row["alias"])] = row["code"]

    school_stages = {row["school_type"]: tuple(row["stages"].split("|")) for row in _read_csv("school_type_stages.csv")}
    return Contract(tables=tables, headers=headers, codes=codes, school_stages=school_stages)
