"""County isolation: a refused file holds back the counties it belongs to, not the whole year.

A file belongs to the counties of the schools its rows name; a file that
cannot be read at all belongs to the county whose 6-digit code is in its
name (`classes_530102.csv`); a file with neither is the whole year's
(census-contract.md, "Attributing a file to a county").

A held-back county keeps the rows of the last good load: at the start of a
run the build database holds the published state (pipeline/warehouse/publish.py),
so inside the year's transaction a second connection still sees those rows,
and they are copied back in place of the new ones. Its marts are then built
from the old rows as before, and `audit.blocked_counties` says why and since
when. A county that had no good load keeps no rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipeline.ingest.contract import Contract, fold
from pipeline.ingest.errors import FileRefused
from pipeline.ingest.files import FileOutcome
from pipeline.ingest.readers import read_census_file

COUNTY_IN_NAME = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# The column of a table's rows that names their county, directly or through the school.
COUNTY_COLUMN = {"schools": "county_code", "county": "county_code"}


@dataclass
class Attribution:
    """Which counties the refused files hold back (with the files and reasons), and the files that belong to none.

    Files in a sub-folder of the year are not the year's (`year_files`): refused, they hold back nothing.
    """

    counties: dict[str, list[FileOutcome]] = field(default_factory=dict)
    whole_year: list[FileOutcome] = field(default_factory=list)


def county_in_name(relpath: str) -> str | None:
    """The one 6-digit code in a file's name (`classes_530102.csv`), if it has exactly one."""
    codes = set(COUNTY_IN_NAME.findall(Path(relpath).stem))
    return codes.pop() if len(codes) == 1 else None


def _values_named(outcome: FileOutcome, contract: Contract) -> tuple[str, list[str]] | None:
    """The county codes or school ids the rows of a refused file name, read again under the same bounds."""
    path = outcome.path
    if outcome.table is None or path.is_symlink() or not path.is_file():
        return None
    column = COUNTY_COLUMN.get(outcome.table, "school_id")
    try:
        content = read_census_file(path, contract, outcome.table)
    except FileRefused:
        return None
    known = contract.headers[outcome.table]
    values: set[str] = set()
    for sheet in content.sheets:
        original = next((h for h in sheet.frame.columns if getattr(known.get(fold(h)), "column", None) == column), None)
        if original is not None:
            found = sheet.frame.get_column(original).str.strip_chars().drop_nulls().unique()
            values.update(v for v in found.to_list() if v)
    if not values:
        return None
    if column == "county_code":
        return column, sorted({v[:6] for v in values})
    return column, sorted(values)


def _counties_of_schools(readers: list[duckdb.DuckDBPyConnection], year: int, school_ids: list[str]) -> set[str]:
    """The counties of these schools, in this load's schools or in the last good load's."""
    found: set[str] = set()
    for con in readers:
        rows = con.execute(
            "SELECT DISTINCT county_code FROM raw.schools WHERE year = ? AND school_id IN (SELECT unnest(?))",
            [year, school_ids],
        ).fetchall()
        found.update(code for (code,) in rows if code)
    return found


def attribute_refused(
    con: duckdb.DuckDBPyConnection,
    snapshot: duckdb.DuckDBPyConnection,
    year: int,
    refused: list[FileOutcome],
    contract: Contract,
) -> Attribution:
    """Each refused file's counties: those its rows name, else the one in its name, else the whole year."""
    attribution = Attribution()
    for outcome in refused:
        if len(Path(outcome.relpath).parts) > 2:  # in a sub-folder: not a file of the year, it holds back nothing
            continue
        counties: set[str] = set()
        named = _values_named(outcome, contract)
        if named is not None:
            column, values = named
            counties = set(values) if column == "county_code" else _counties_of_schools([con, snapshot], year, values)
        if not counties and (code := county_in_name(outcome.relpath)) is not None:
            counties = {code}
        if not counties:
            attribution.whole_year.append(outcome)
        for county in sorted(counties):
            attribution.counties.setdefault(county, []).append(outcome)
    return attribution


def _row_filter(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """The predicate that picks a table's rows of the held-back counties (`held_counties`, `held_schools`)."""
    columns = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?", [table]
        ).fetchall()
    }
    if "county_code" in columns:
        return "county_code IN (SELECT county_code FROM held_counties)"
    return "school_id IN (SELECT school_id FROM held_schools)"


def _held_keys(
    con: duckdb.DuckDBPyConnection, snapshot: duckdb.DuckDBPyConnection, year: int, counties: list[str]
) -> None:
    """In both connections, temporary tables of the held counties and of their schools (this load's and the last good one's)."""
    query = "SELECT school_id FROM raw.schools WHERE year = ? AND county_code IN (SELECT unnest(?))"
    schools = sorted({r[0] for c in (con, snapshot) for r in c.execute(query, [year, counties]).fetchall()})
    for c in (con, snapshot):
        c.execute(
            "CREATE OR REPLACE TEMP TABLE held_counties AS SELECT unnest(?::VARCHAR[]) AS county_code", [counties]
        )
        c.execute("CREATE OR REPLACE TEMP TABLE held_schools AS SELECT unnest(?::VARCHAR[]) AS school_id", [schools])


def hold_back(
    con: duckdb.DuckDBPyConnection,
    snapshot: duckdb.DuckDBPyConnection,
    year: int,
    counties: list[str],
    tables: list[str],
) -> dict[str, int]:
    """Put back the last good rows of `counties` in place of this load's; returns this load's rows held per file."""
    _held_keys(con, snapshot, year, counties)
    held: dict[str, int] = {}
    for table in tables:
        where = f"year = ? AND {_row_filter(con, table)}"
        for source_file, n in con.execute(
            f"SELECT source_file, count(*) FROM raw.{table} WHERE {where} GROUP BY 1", [year]
        ).fetchall():
            held[source_file] = held.get(source_file, 0) + n
        con.execute(f"DELETE FROM raw.{table} WHERE {where}", [year])
        old = snapshot.sql(f"SELECT * FROM raw.{table} WHERE {where}", params=[year]).to_arrow_table()
        if old.num_rows:
            con.register("held_rows", old)
            con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM held_rows")
            con.unregister("held_rows")
    for c in (con, snapshot):
        c.execute("DROP TABLE held_counties; DROP TABLE held_schools")
    return held


def _data_as_of(snapshot: duckdb.DuckDBPyConnection, year: int, counties: list[str]) -> dict[str, datetime | None]:
    """When the rows a held county keeps were loaded: its last good load (carried over if it was held then too)."""
    published_load = snapshot.execute(
        "SELECT max(l.loaded_at) FROM audit.loads l JOIN audit.runs r USING (run_id) "
        "WHERE l.year = ? AND r.outcome = 'published'",
        [year],
    ).fetchone()[0]
    with_rows = {
        code
        for (code,) in snapshot.execute(
            "SELECT DISTINCT county_code FROM raw.schools WHERE year = ? AND county_code IN (SELECT unnest(?))",
            [year, counties],
        ).fetchall()
    }
    held_before = dict(
        snapshot.execute(
            "SELECT county_code, data_as_of FROM audit.blocked_counties WHERE year = ? AND county_code IN (SELECT unnest(?))",
            [year, counties],
        ).fetchall()
    )
    return {c: (held_before.get(c, published_load) if c in with_rows else None) for c in counties}


def blocked_rows(snapshot: duckdb.DuckDBPyConnection, year: int, run_id: str, attribution: Attribution) -> pl.DataFrame:
    """The rows of `audit.blocked_counties` for this load: each held county, why (both languages), data since when."""
    counties = sorted(attribution.counties)
    as_of = _data_as_of(snapshot, year, counties)
    now = datetime.now(UTC)
    rows = []
    for county in counties:
        files = attribution.counties[county]
        rows.append(
            {
                "run_id": run_id,
                "year": year,
                "county_code": county,
                "reason": "; ".join(f"file {f.relpath} was refused: {f.refused}" for f in files),
                "reason_zh": "；".join(f"文件 {f.relpath} 被拒收：{f.refused}" for f in files),
                "data_as_of": as_of[county],
                "blocked_at": now,
            }
        )
    schema = {
        "run_id": pl.String,
        "year": pl.Int32,
        "county_code": pl.String,
        "reason": pl.String,
        "reason_zh": pl.String,
        "data_as_of": pl.Datetime("us", "UTC"),
        "blocked_at": pl.Datetime("us", "UTC"),
    }
    return pl.DataFrame(rows, schema=schema)
