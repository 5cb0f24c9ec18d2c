"""Matching a file's header row to the contract's canonical columns.

Headers are compared after folding (full-width to half-width, case, spaces and
underscores ignored) against the canonical English name and every alias in
`column_aliases.csv`. Columns that match nothing are kept aside as extras.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.ingest.contract import Contract, fold
from pipeline.ingest.errors import FileRefused

# How many rows at the top of a sheet may sit above the header (titles, notes).
HEADER_SCAN_ROWS = 10


@dataclass
class HeaderMatch:
    # original header -> canonical column
    canonical: dict[str, str] = field(default_factory=dict)
    # canonical column -> multiplier to apply to its values (万元 -> 元)
    multipliers: dict[str, float] = field(default_factory=dict)
    extras: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)


def header_score(contract: Contract, table: str, cells: Sequence[object]) -> int:
    known = contract.headers[table]
    return sum(1 for cell in cells if isinstance(cell, str) and fold(cell) in known)


def find_header_row(contract: Contract, table: str, rows: Sequence[Sequence[object]]) -> int | None:
    """Index of the header among the first rows: the first row with the most known headers."""
    scores = [header_score(contract, table, row) for row in rows[:HEADER_SCAN_ROWS]]
    if not scores or max(scores) == 0:
        return None
    return scores.index(max(scores))


def match_headers(contract: Contract, table: str, headers: Sequence[str]) -> HeaderMatch:
    known = contract.headers[table]
    match = HeaderMatch()
    sources: dict[str, list[str]] = {}
    for header in headers:
        target = known.get(fold(header)) if header else None
        if target is None:
            match.extras.append(header)
            continue
        sources.setdefault(target.column, []).append(header)
        match.canonical[header] = target.column
        if target.multiplier != 1:
            match.multipliers[target.column] = target.multiplier

    # Two columns that both mean a personal column (姓名 and 教职工姓名): the first is that column, the others extras,
    # which pii.py drops or hashes like it.
    spec = contract.tables[table]
    for col, hs in sources.items():
        if len(hs) > 1 and spec.column(col).type in ("pii_drop", "pii_hash"):
            for header in hs[1:]:
                del match.canonical[header]
                match.extras.append(header)
            sources[col] = hs[:1]
    position = {h: i for i, h in enumerate(headers)}
    match.extras.sort(key=lambda h: position.get(h, len(position)))
    clashes = {col: hs for col, hs in sources.items() if len(hs) > 1}
    if clashes:
        described = "; ".join(f"{col} <- {', '.join(repr(h) for h in hs)}" for col, hs in clashes.items())
        raise FileRefused(f"several columns map to the same contract column ({described}): keep one")

    missing = [c.name for c in spec.columns if c.required and c.name not in sources]
    groups: dict[str, list[str]] = {}
    for col in spec.columns:
        if col.required_group:
            groups.setdefault(col.required_group, []).append(col.name)
    for members in groups.values():
        if not any(m in sources for m in members):
            missing.append(" or ".join(members))
    if missing:
        raise FileRefused(
            f"missing required column(s) for table '{table}': {', '.join(missing)}"
            f" (headers found: {', '.join(repr(h) for h in headers)})"
        )
    match.missing_optional = [
        c.name for c in spec.columns if c.name not in sources and not c.required and not c.required_group
    ]
    return match
