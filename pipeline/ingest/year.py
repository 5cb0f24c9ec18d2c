"""Loading one census year: every file of `data/raw/<year>/` into `raw.*`, every row accounted for.

A year is the unit of replacement: its rows are swapped in one transaction,
so loading the same files twice gives the same tables, and a failure midway
leaves the previous load in place.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from pipeline.ingest import warehouse
from pipeline.ingest.checks import FILE, empty_rejections, reject_duplicates, reject_orphans_and_stages
from pipeline.ingest.contract import Contract, load_contract
from pipeline.ingest.files import RECORD, SHEET, FileOutcome, process_file, sha256_of
from pipeline.ingest.readers import FORMATS, ROW

log = logging.getLogger(__name__)

YEAR_FOLDER = re.compile(r"^\d{4}$")
# Schools first: the other tables are checked against the schools loaded.
TABLE_ORDER = ["schools", "classes", "teachers", "facilities", "rooms", "finance", "county"]


def find_years(raw_dir: Path) -> list[int]:
    if not raw_dir.is_dir():
        return []
    return sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and YEAR_FOLDER.match(p.name))


def table_of(path: Path) -> str | None:
    """The file stem decides the table: `schools.csv`, `schools_530181.xlsx`, `schools-2024.tsv`."""
    stem = path.stem.lower()
    return next((t for t in TABLE_ORDER if stem == t or re.match(rf"^{t}[_\-. ]", stem)), None)


def year_files(year_dir: Path) -> list[Path]:
    """Every file of the year folder except hidden and office lock files (`.DS_Store`, `~$schools.xlsx`)."""
    return sorted(p for p in year_dir.rglob("*") if p.is_file() and not p.name.startswith((".", "~$")))


@dataclass
class YearLoad:
    year: int
    run_id: str
    files: list[FileOutcome] = field(default_factory=list)
    loads: pl.DataFrame | None = None

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.refused]

    def table_counts(self) -> pl.DataFrame:
        """Files, rows read, loaded and rejected per table."""
        assert self.loads is not None
        return (
            self.loads.group_by("table_name")
            .agg(
                pl.len().alias("files"),
                (pl.col("status") == "refused").sum().alias("files_refused"),
                pl.col("rows_read").sum(),
                pl.col("rows_loaded").sum(),
                pl.col("rows_rejected").sum(),
            )
            .sort("table_name", nulls_last=True)
        )


def _refuse(path: Path, relpath: str, reason: str) -> FileOutcome:
    return FileOutcome(path=path, relpath=relpath, table=None, sha256=sha256_of(path), refused=reason)


def read_year_files(raw_dir: Path, year: int, contract: Contract, salt: str | None) -> list[FileOutcome]:
    outcomes = []
    for path in year_files(raw_dir / str(year)):
        relpath = path.relative_to(raw_dir).as_posix()
        table = table_of(path)
        if table is None:
            outcome = _refuse(path, relpath, f"the file name does not start with a table name ({', '.join(TABLE_ORDER)})")
        elif path.suffix.lower() not in FORMATS:
            outcome = _refuse(path, relpath, f"unsupported file type '{path.suffix}': use .csv, .tsv, .xlsx or .parquet")
        else:
            outcome = process_file(path, relpath, table, contract, salt)
        log.info(
            "%s: %s", relpath,
            f"refused: {outcome.refused}" if outcome.refused else f"{outcome.rows_read:,} rows read ({outcome.format}, {outcome.encoding or 'binary'})",
        )
        outcomes.append(outcome)
    return outcomes


def _check_tables(outcomes: list[FileOutcome], contract: Contract) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Cross-row checks per table; returns the rows to load and the rows they reject (with `__file`)."""
    names = [o.relpath for o in outcomes]
    tables: dict[str, pl.DataFrame] = {}
    rejected = [empty_rejections()]
    for table_name in TABLE_ORDER:
        spec = contract.tables[table_name]
        parts = [
            o.good.with_columns(pl.lit(i, pl.Int64).alias(FILE))
            for i, o in enumerate(outcomes)
            if o.table == table_name and o.good is not None and o.good.height
        ]
        if not parts:
            continue
        frame, duplicates = reject_duplicates(pl.concat(parts, how="vertical_relaxed"), spec, names)
        rejected.append(duplicates)
        if table_name != "schools" and "schools" in tables:
            frame, orphans = reject_orphans_and_stages(frame, spec, tables["schools"], contract)
            rejected.append(orphans)
        elif table_name != "schools" and "school_id" in frame.columns:
            empty = pl.DataFrame(schema={"school_id": pl.String, "school_type": pl.String})
            frame, orphans = reject_orphans_and_stages(frame, spec, empty, contract)
            rejected.append(orphans)
        tables[table_name] = frame
    return tables, pl.concat(rejected)


def _problems_of_files(outcomes: list[FileOutcome]) -> pl.DataFrame:
    parts = [o.problems.with_columns(pl.lit(i, pl.Int64).alias(FILE)) for i, o in enumerate(outcomes) if o.problems is not None]
    return pl.concat(parts, how="diagonal_relaxed") if parts else empty_rejections()


def _with_source(frame: pl.DataFrame, names: list[str], year: int) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(year, pl.Int32).alias("year"),
        pl.col(FILE).replace_strict(list(range(len(names))), names, return_dtype=pl.String).alias("source_file"),
    ).rename({SHEET: "source_sheet", ROW: "source_row"})


def _loads_frame(outcomes: list[FileOutcome], tables: dict[str, pl.DataFrame], rejected: pl.DataFrame, year: int, run_id: str) -> pl.DataFrame:
    loaded = pl.concat([f.group_by(FILE).len() for f in tables.values()]) if tables else pl.DataFrame(schema={FILE: pl.Int64, "len": pl.UInt32})
    loaded_by_file = dict(loaded.iter_rows())
    rejected_by_file = dict(rejected.select(FILE, SHEET, ROW).unique().group_by(FILE).len().iter_rows())
    now = datetime.now(timezone.utc)
    rows = []
    for i, o in enumerate(outcomes):
        n_loaded, n_rejected = loaded_by_file.get(i, 0), rejected_by_file.get(i, 0)
        if not o.refused and n_loaded + n_rejected != o.rows_read:
            raise AssertionError(f"{o.relpath}: {o.rows_read} rows read but {n_loaded} loaded + {n_rejected} rejected")
        rows.append(
            {
                "run_id": run_id, "year": year, "table_name": o.table, "source_file": o.relpath, "format": o.format,
                "encoding": o.encoding, "sha256": o.sha256, "rows_read": o.rows_read, "rows_loaded": n_loaded,
                "rows_rejected": n_rejected, "status": "refused" if o.refused else "loaded", "reason": o.refused,
                "notes": "; ".join(o.notes) or None, "loaded_at": now,
            }
        )
    schema = {
        "run_id": pl.String, "year": pl.Int32, "table_name": pl.String, "source_file": pl.String, "format": pl.String,
        "encoding": pl.String, "sha256": pl.String, "rows_read": pl.Int64, "rows_loaded": pl.Int64,
        "rows_rejected": pl.Int64, "status": pl.String, "reason": pl.String, "notes": pl.String,
        "loaded_at": pl.Datetime("us", "UTC"),
    }
    return pl.DataFrame(rows, schema=schema)


def load_year(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, year: int, run_id: str, salt: str | None, contract: Contract | None = None
) -> YearLoad:
    contract = contract or load_contract()
    outcomes = read_year_files(raw_dir, year, contract, salt)
    tables, cross_rejected = _check_tables(outcomes, contract)
    rejected = pl.concat([_problems_of_files(outcomes), cross_rejected], how="diagonal_relaxed")
    names = [o.relpath for o in outcomes]
    loads = _loads_frame(outcomes, tables, rejected, year, run_id)

    table_of_file = [o.table for o in outcomes]
    rejected_out = _with_source(rejected, names, year).with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.col(FILE).replace_strict(list(range(len(names))), table_of_file, return_dtype=pl.String).alias("table_name"),
    ).drop(FILE)
    tables_out = {name: _with_source(frame, names, year).drop(FILE) for name, frame in tables.items()}
    warehouse.replace_year(con, contract, year, tables_out, rejected_out, loads)
    return YearLoad(year=year, run_id=run_id, files=outcomes, loads=loads)
