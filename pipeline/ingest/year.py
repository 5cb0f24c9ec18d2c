"""Loading one census year: every file of `data/raw/<year>/` into `raw.*`, every row accounted for.

A year is the unit of replacement: its rows are swapped in one transaction,
so loading the same files twice gives the same tables, and a failure midway
leaves the previous load in place.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import duckdb
import polars as pl

from pipeline.ingest import raw_tables
from pipeline.ingest.batches import TableNormaliser
from pipeline.ingest.checks import (
    FILE,
    empty_rejections,
    keys_are_unique,
    reject_duplicates,
    reject_orphans_and_stages,
    rows_per_file,
)
from pipeline.ingest.contract import Contract, load_contract
from pipeline.ingest.counties import Attribution, attribute_refused, blocked_rows, hold_back
from pipeline.ingest.files import SHEET, FileOutcome, sha256_of
from pipeline.ingest.grouped import read_table
from pipeline.ingest.readers import FORMATS, ROW

log = logging.getLogger(__name__)

YEAR_FOLDER = re.compile(r"^\d{4}$")
TABLE_ORDER = ["schools", "classes", "teachers", "facilities", "rooms", "finance", "county"]
# Schools first: the other tables are checked against the schools loaded. Then the largest, so that
# writing it overlaps with reading the others.
LOAD_ORDER = ["schools", "teachers", "classes", "rooms", "facilities", "finance", "county"]


def find_years(raw_dir: Path) -> list[int]:
    if not raw_dir.is_dir():
        return []
    return sorted(int(p.name) for p in raw_dir.iterdir() if p.is_dir() and YEAR_FOLDER.match(p.name))


def table_of(path: Path) -> str | None:
    """The file stem decides the table: `schools.csv`, `schools_530181.xlsx`, `schools-2024.tsv`."""
    stem = path.stem.lower()
    return next((t for t in TABLE_ORDER if stem == t or re.match(rf"^{t}[_\-. ]", stem)), None)


def year_files(year_dir: Path) -> list[Path]:
    """Every entry of the year folder, links not followed, except hidden and office lock files (`.DS_Store`, `~$a.xlsx`).

    What cannot be loaded is listed too, so that it is refused with its reason (`_refused_by_name`) rather than
    passed over unseen: links, folders named like a file, devices and pipes, and everything in a sub-folder
    (hidden sub-folders aside). A year folder that is itself a link out of the raw folder is listed alone.
    """
    if year_dir.is_symlink() and _outside(year_dir.parent, year_dir):
        return [year_dir]
    found: list[Path] = []
    for folder, subfolders, names in os.walk(year_dir):  # links to folders are listed in subfolders, not followed
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        top = Path(folder) == year_dir
        for name in names + subfolders:
            path = Path(folder) / name
            a_folder = path.is_dir() and not path.is_symlink()
            if name.startswith(("~$", ".")) or (a_folder and not (top and _named_like_a_file(name))):
                continue
            found.append(path)
    return sorted(found)


def _named_like_a_file(name: str) -> bool:
    """A folder named like a census file (`classes.csv/`): refused as such, so the file it stands for is not missed."""
    suffix = Path(name).suffix.lower()
    return suffix in FORMATS or (suffix != "" and table_of(Path(name)) is not None)


def _outside(raw_dir: Path, path: Path) -> bool:
    """Whether `path`, its links followed, lies outside the raw folder."""
    return not Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(raw_dir)))


def _not_a_year_file(raw_dir: Path, path: Path) -> str | None:
    """Why an entry of the year folder is no census file of the year, or None; nothing is opened to find out."""
    if len(path.relative_to(raw_dir).parts) > 2:
        return "在子文件夹中，不属于该年 / in a sub-folder, not part of the year"
    if path.is_symlink():
        if not os.path.exists(path):
            return "链接指向的文件不存在 / a link to a file that does not exist"
        if _outside(raw_dir, path):
            return "链接指向原始数据文件夹之外 / a link to outside the raw folder"
    kind = os.stat(path).st_mode
    if stat.S_ISDIR(kind):
        return "是文件夹，不是文件 / a folder, not a file"
    if not stat.S_ISREG(kind):
        return "不是普通文件（设备、管道或套接字） / not a regular file (a device, a pipe or a socket)"
    return None


@dataclass
class YearLoad:
    year: int
    run_id: str
    files: list[FileOutcome] = field(default_factory=list)
    loads: pl.DataFrame | None = None
    attribution: Attribution = field(default_factory=Attribution)

    @property
    def refused(self) -> list[FileOutcome]:
        return [f for f in self.files if f.refused]

    @property
    def blocked_counties(self) -> dict[str, list[FileOutcome]]:
        """The counties held back by their refused files, when no refused file is the whole year's."""
        return {} if self.attribution.whole_year else self.attribution.counties

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


def _refuse(raw_dir: Path, path: Path, relpath: str, reason: str) -> FileOutcome:
    """A refused entry; its sha256 only if it is a regular file inside the raw folder (nothing else is read)."""
    return FileOutcome(path=path, relpath=relpath, table=None, sha256=sha256_of(path, raw_dir), refused=reason)


def _refused_by_name(raw_dir: Path, path: Path, table: str | None) -> FileOutcome | None:
    """An entry that is no file of the year, no table reads, or of a type that cannot be read, refused unread."""
    relpath = path.relative_to(raw_dir).as_posix()
    if (reason := _not_a_year_file(raw_dir, path)) is not None:
        return _refuse(raw_dir, path, relpath, reason)
    if table is None:
        return _refuse(
            raw_dir, path, relpath, f"the file name does not start with a table name ({', '.join(TABLE_ORDER)})"
        )
    if path.suffix.lower() not in FORMATS:
        return _refuse(
            raw_dir, path, relpath, f"unsupported file type '{path.suffix}': use .csv, .tsv, .xlsx or .parquet"
        )
    return None


def _logged(outcome: FileOutcome) -> FileOutcome:
    if outcome.refused:
        log.warning("%s: refused: %s", outcome.relpath, outcome.refused)
    else:  # one line per table is logged instead (see load_year): a run event per file costs more than reading it
        log.debug(
            "%s: %s rows read (%s, %s)",
            outcome.relpath,
            f"{outcome.rows_read:,}",
            outcome.format,
            outcome.encoding or "binary",
        )
    return outcome


def _log_table(table_name: str, outcomes: list[FileOutcome]) -> None:
    if outcomes:
        formats = Counter(" ".join(filter(None, (o.format, o.encoding))) for o in outcomes if not o.refused)
        described = ", ".join(f"{n:,} {kind}" for kind, n in sorted(formats.items()))
        rows = sum(o.rows_read for o in outcomes if not o.refused)
        refused = sum(1 for o in outcomes if o.refused)
        log.info(
            "%s: %s file%s, %s rows read%s%s",
            table_name,
            f"{len(outcomes):,}",
            "" if len(outcomes) == 1 else "s",
            f"{rows:,}",
            f" ({described})" if described else "",
            f", {refused} refused" if refused else "",
        )


def _check_table(
    table_name: str, frame: pl.DataFrame, schools: pl.DataFrame | None, contract: Contract, names: list[str]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Cross-row checks of one table (duplicates; orphans and stages against the year's schools)."""
    frame, duplicates = reject_duplicates(frame, contract.tables[table_name], names)
    frame, orphans = _check_against_schools(table_name, frame, schools, contract)
    return frame, [duplicates, *orphans]


def _check_against_schools(
    table_name: str, frame: pl.DataFrame, schools: pl.DataFrame | None, contract: Contract
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Rows of a school not loaded this year, or of a stage it does not teach: row by row, so batch by batch."""
    if table_name == "schools" or (schools is None and "school_id" not in frame.columns):
        return frame, []
    if schools is None:
        schools = pl.DataFrame(schema={"school_id": pl.String, "school_type": pl.String})
    frame, orphans = reject_orphans_and_stages(frame, contract.tables[table_name], schools, contract)
    return frame, [orphans]


def _with_source(frame: pl.DataFrame, names: list[str], year: int) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(year, pl.Int32).alias("year"),
        pl.col(FILE).replace_strict(list(range(len(names))), names, return_dtype=pl.String).alias("source_file"),
    ).rename({SHEET: "source_sheet", ROW: "source_row"})


def _loads_frame(
    outcomes: list[FileOutcome], loaded_by_file: dict[int, int], rejected: pl.DataFrame, year: int, run_id: str
) -> pl.DataFrame:
    rejected_by_file = rows_per_file(rejected.select(FILE, SHEET, ROW).unique())
    now = datetime.now(UTC)
    rows = []
    for i, o in enumerate(outcomes):
        n_loaded, n_rejected = loaded_by_file.get(i, 0), rejected_by_file.get(i, 0)
        if o.refused:  # every row of a refused file is rejected with it, for the file's reason
            n_loaded, n_rejected = 0, o.rows_read
        if n_loaded + n_rejected != o.rows_read:
            raise AssertionError(f"{o.relpath}: {o.rows_read} rows read but {n_loaded} loaded + {n_rejected} rejected")
        rows.append(
            {
                "run_id": run_id,
                "year": year,
                "table_name": o.table,
                "source_file": o.relpath,
                "format": o.format,
                "encoding": o.encoding,
                "sha256": o.sha256,
                "rows_read": o.rows_read,
                "rows_loaded": n_loaded,
                "rows_rejected": n_rejected,
                "status": "refused" if o.refused else "loaded",
                "reason": o.refused,
                "notes": "; ".join(o.notes) or None,
                "loaded_at": now,
            }
        )
    schema = {
        "run_id": pl.String,
        "year": pl.Int32,
        "table_name": pl.String,
        "source_file": pl.String,
        "format": pl.String,
        "encoding": pl.String,
        "sha256": pl.String,
        "rows_read": pl.Int64,
        "rows_loaded": pl.Int64,
        "rows_rejected": pl.Int64,
        "status": pl.String,
        "reason": pl.String,
        "notes": pl.String,
        "loaded_at": pl.Datetime("us", "UTC"),
    }
    return pl.DataFrame(rows, schema=schema)


def load_year(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    year: int,
    run_id: str,
    salt: str | None,
    contract: Contract | None = None,
) -> YearLoad:
    """Load every file of the year, table by table, in one transaction.

    A table's files are read and normalised in batches (batches.py). Each
    batch of a table other than the schools is checked against the year's
    schools and handed to a writer thread, which inserts it while the next
    files are read: a nation's 10 million teachers are written as they come,
    not after the last is read (DuckDB's insert releases the GIL). Duplicate
    keys are looked for once the whole table is read; the schools, which the
    other tables are checked against, are checked and written whole. Memory
    holds one table's rows at most, not the year's.
    """
    contract = contract or load_contract()
    paths = year_files(raw_dir / str(year))
    names = [p.relative_to(raw_dir).as_posix() for p in paths]
    tables_of = [table_of(p) for p in paths]
    outcomes: list[FileOutcome | None] = [None] * len(paths)
    for i, path in enumerate(paths):
        if (refused := _refused_by_name(raw_dir, path, tables_of[i])) is not None:
            outcomes[i] = _logged(refused)
    file_problems: list[pl.DataFrame] = []
    cross_rejected: list[pl.DataFrame] = [empty_rejections()]
    loaded_by_file: Counter[int] = Counter()
    schools: pl.DataFrame | None = None
    with raw_tables.year_transaction(con, contract, year) as insert, ThreadPoolExecutor(max_workers=1) as writer:
        written: Future[None] | None = None

        def write(table_name: str, frame: pl.DataFrame) -> None:
            """Hand `frame` to the writer thread; one frame waits to be written, never more."""
            nonlocal written
            if written is not None:
                written.result()
            written = writer.submit(lambda: insert(f"raw.{table_name}", _with_source(frame, names, year).drop(FILE)))

        for table_name in LOAD_ORDER:
            normaliser = TableNormaliser(contract, table_name)
            todo = [i for i in range(len(paths)) if tables_of[i] == table_name and outcomes[i] is None]
            # The schools are the reference of the other tables' checks: they are checked whole first.
            streamed = table_name != "schools"
            batches: list[pl.DataFrame] = []
            streamed_rejected: list[pl.DataFrame] = []
            streamed_loaded: Counter[int] = Counter()

            def take_batches() -> None:
                for batch in normaliser.take_good():
                    batches.append(batch)
                    if streamed:
                        kept, rejected = _check_against_schools(table_name, batch, schools, contract)
                        streamed_rejected.extend(rejected)
                        streamed_loaded.update(rows_per_file(kept))
                        write(table_name, kept)

            for read in read_table(raw_dir, [(i, paths[i]) for i in todo], table_name, contract, salt):
                for i, outcome in read.outcomes:
                    outcomes[i] = _logged(outcome)
                if read.together is not None:
                    normaliser.add_read_together(read.together)
                else:
                    for i, outcome in read.outcomes:
                        normaliser.add(i, outcome)
                take_batches()
            _log_table(table_name, [cast(FileOutcome, outcomes[i]) for i in todo])
            file_problems.append(normaliser.finish())
            take_batches()
            if streamed and keys_are_unique(batches, contract.tables[table_name]):
                cross_rejected += streamed_rejected
                loaded_by_file.update(streamed_loaded)
                continue
            # A key found twice, in any two batches: the table is checked and written again whole,
            # as if it had never been streamed (rare: the rows written so far are taken back).
            if streamed and written is not None:
                written.result()
                raw_tables.delete_year(con, f"raw.{table_name}", year)
            good = pl.concat(batches, how="vertical_relaxed") if batches else None
            batches.clear()
            if good is None or good.height == 0:
                continue
            frame, rejected = _check_table(table_name, good, schools, contract, names)
            del good
            cross_rejected += rejected
            if table_name == "schools":
                schools = frame.select("school_id", "school_type")
            loaded_by_file.update(rows_per_file(frame))
            write(table_name, frame)
            del frame
        if written is not None:
            written.result()
        done = cast(list[FileOutcome], outcomes)
        attribution = _hold_back_counties(con, year, run_id, done, contract, insert)
        rejected = pl.concat(
            [pl.concat(file_problems, how="diagonal_relaxed").sort(FILE, maintain_order=True), *cross_rejected],
            how="diagonal_relaxed",
        )
        loads = _loads_frame(done, loaded_by_file, rejected, year, run_id)
        rejected_out = (
            _with_source(rejected, names, year)
            .with_columns(
                pl.lit(run_id).alias("run_id"),
                pl.col(FILE)
                .replace_strict(list(range(len(names))), [o.table for o in done], return_dtype=pl.String)
                .alias("table_name"),
            )
            .drop(FILE)
        )
        insert("audit.rejected_rows", rejected_out)
        insert("audit.loads", loads)
    return YearLoad(year=year, run_id=run_id, files=done, loads=loads, attribution=attribution)


def _hold_back_counties(
    con: duckdb.DuckDBPyConnection,
    year: int,
    run_id: str,
    outcomes: list[FileOutcome],
    contract: Contract,
    insert: Callable[[str, pl.DataFrame], None],
) -> Attribution:
    """The counties of refused files keep their last good rows (counties.py); a file of no county holds back the year."""
    refused = [o for o in outcomes if o.refused]
    if not refused:
        return Attribution()
    with con.cursor() as snapshot:  # its own transaction: it sees the year as last committed
        attribution = attribute_refused(con, snapshot, year, refused, contract)
        if attribution.whole_year or not attribution.counties:
            return attribution
        counties = sorted(attribution.counties)
        held = hold_back(con, snapshot, year, counties, list(contract.tables))
        insert("audit.blocked_counties", blocked_rows(snapshot, year, run_id, attribution))
    codes = "、".join(counties)
    for outcome in outcomes:
        if n := held.get(outcome.relpath):
            outcome.notes.append(
                f"{n:,} 行属于暂缓发布的县（{codes}），本次未采用 / {n:,} rows belong to held-back counties ({codes}) "
                "and are not used this time"
            )
    return attribution
