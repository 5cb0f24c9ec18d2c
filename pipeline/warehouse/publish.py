"""The published warehouse, the build database beside it, and how a build becomes the published file.

Beside the published path `equity.duckdb`, in the same folder:
- `equity.build.duckdb`, the build database, is the only file runs write;
- `.equity.duckdb.v<time>-<run id>` are published versions, each written once by the publisher and
  then read-only (mode 0444);
- `equity.duckdb` itself is a symbolic link to the current version.
The versions lie beside the link, and keep its name before their first dot (DuckDB's name for the
database, `equity`), so code that resolves the link finds the same folder (logs, reports, docs) and
the same database name; `published_path_of` maps a resolved version back to the published path.

A run starts its build from the published file (`start_build`), so that a build only ever holds the
published state plus this run's own work: a failed year's load (its raw rows, marts, rejected rows,
quality results) is never published by the next good run of another year. Only the record of earlier
attempts is carried over, the `audit.runs` and `audit.loads` rows the published file does not have, so
a failed attempt's refusals are not lost. The build is the published file already when its newest run
is the run the link names and that run says it published: then nothing is copied.

Publishing (`publish`) checkpoints the build, copies it into a new version (through a `.publishing`
file), records the run as published in that copy (the published file carries its own run record),
makes it read-only and swaps the link to it with one atomic rename.

Why no analyst can break the published file:
- DuckDB keeps a database's write-ahead log beside the file it opened once its path is resolved
  (DuckDB 2.0 resolves symbolic links: a client opening `equity.duckdb` keeps its WAL beside the
  version it reached). A read-write connection's pending writes, whether its process lives on or was
  killed, therefore belong to that version, and are never replayed against a later one: whoever opens
  `equity.duckdb` after a publication reaches a new file at a new path, which has no WAL.
- A WAL beside the link itself (left by a client that does not resolve links, or by a writer of a
  warehouse published as a plain file) is set aside before and after the swap, as
  `.equity.duckdb.stale-<time>.wal` beside a hard link of that plain file, so it is not replayed
  against the new version either, and the pending writes stay readable with their file.
- Versions are read-only files: an ordinary user's client can open them to read only, and our own
  readers always open read-only. Nobody but the publisher writes a version.
- The swap is one rename: a reader that has the old version open keeps reading it (also once it is
  removed), whoever opens the link next gets the new one, never a mix.
- An older version is removed after the swap unless a WAL lies beside it: an analyst's pending writes
  are left there for them (the log says where). A copy that fails (a full disk) or is killed leaves at
  most a `.publishing` file the link never named: removed on the error, or at the next publication.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.warehouse import db as warehouse
from pipeline.warehouse.runs import close_unpublished, ensure_runs_table, run_ids

log = logging.getLogger(__name__)

# The write-ahead log of a DuckDB file, and the files DuckDB keeps beside it while it checkpoints or recovers.
WAL_SUFFIXES = (".wal", ".wal.checkpoint", ".wal.recovery")
# The audit rows a build keeps of earlier attempts that the published file does not have.
HISTORY_TABLES = ("runs", "loads")
# How long a new build waits for another process (a dbt of a killed run finishing) to let go of the old one.
BUILD_LOCK_WAIT_SECONDS = 30
# `.equity.duckdb.v20250301T101500123456Z-<run id>`: a published version of `equity.duckdb` (run ids have no dot).
VERSION_NAME = re.compile(r"^\.(?P<published>.+)\.v\d{8}T\d{12}Z-(?P<run>[^.]+)$")


class BuildBusy(RuntimeError):
    """Another process still holds the build database."""


def published_path_of(path: Path) -> Path:
    """The published path (the link) of `path`: itself, or the link's path when `path` is one of its versions."""
    version = VERSION_NAME.match(path.name)
    return path.with_name(version["published"]) if version else path


def build_path_for(published: Path) -> Path:
    published = published_path_of(published)
    return published.with_name(f"{published.stem}.build{published.suffix or '.duckdb'}")


def wal_files(database: Path) -> list[Path]:
    """The files beside `database` that DuckDB would replay or recover when it opens it."""
    return [database.with_name(database.name + suffix) for suffix in WAL_SUFFIXES]


def published_run(published: Path) -> str | None:
    """The run whose build the published file is, from the link's target; None when there is no link."""
    if not published.is_symlink():
        return None
    version = VERSION_NAME.match(os.path.basename(os.readlink(published)))
    return version["run"] if version else None


def published_versions(published: Path) -> list[Path]:
    """The versions beside the link, oldest first."""
    return sorted(p for p in published.parent.glob(f".{published.name}.v*") if VERSION_NAME.match(p.name))


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- the start of a run -------------------------------------------------------------------------------------------


def start_build(build: Path, published: Path) -> str:
    """Make the build database the published state plus the record of earlier attempts; says what it did.

    The new build is written beside the old one and renamed over it, so a kill leaves the old build whole.
    """
    published = published_path_of(published)
    if _is_published_state(build, published):
        return "构建库即已发布的仓库 / the build database is the published warehouse"
    staging = build.with_name(f".{build.name}.starting")
    for leftover in (staging, *wal_files(staging)):
        leftover.unlink(missing_ok=True)
    if published.exists():
        shutil.copyfile(published, staging)
    with warehouse.connect(staging) as con:
        ensure_runs_table(con)
        kept = run_ids(con)
        carried = _carry_history(con, build, kept) if build.exists() else 0
        close_unpublished(con, kept)
    _fsync(staging)
    os.replace(staging, build)
    if published.exists():
        return (
            f"构建库从已发布的仓库重新开始, 保留之前 {carried} 次未发布运行的记录 / the build database starts again from "
            f"the published warehouse, with the record of {carried} earlier run(s) not in it"
        )
    return (
        f"构建库从空库开始 (尚未发布), 保留之前 {carried} 次运行的记录 / the build database starts empty (nothing "
        f"published yet), with the record of {carried} earlier run(s)"
    )


def _is_published_state(build: Path, published: Path) -> bool:
    """Whether the build is the published file: its newest run is the one the link names, and it published."""
    run = published_run(published)
    if run is None or not build.exists() or any(w.exists() for w in wal_files(build)):
        return False
    try:
        with warehouse.connect(build, read_only=True, lock_wait_seconds=5) as con:
            newest = con.execute("SELECT run_id, outcome FROM audit.runs ORDER BY started_at DESC LIMIT 1").fetchone()
    except duckdb.Error:
        return False
    return newest == (run, "published")


def _carry_history(con: duckdb.DuckDBPyConnection, build: Path, kept: list[str]) -> int:
    """Copy the old build's audit rows of runs not in `kept` into `con`; returns how many runs were carried."""
    with _old_build(build) as old:
        if old is None:
            return 0
        for table in HISTORY_TABLES:
            columns = _shared_columns(old, con, table)
            if columns:
                rows = old.sql(
                    f"SELECT {columns} FROM audit.{table} WHERE run_id NOT IN (SELECT unnest($kept))",
                    params={"kept": kept},
                ).to_arrow_table()
                con.register("carried", rows)
                con.execute(f"INSERT INTO audit.{table} ({columns}) SELECT {columns} FROM carried")
                con.unregister("carried")
    return len(run_ids(con)) - len(kept)


@contextmanager
def _old_build(build: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The old build, opened for writing so that its WAL is folded into it (the WAL would not match the new build).

    Another process holding it (a dbt of a killed run finishing) is waited for, then an error; a build that cannot
    be read is set aside, with a warning, and yields None.
    """
    try:
        con = warehouse.connect(build, lock_wait_seconds=BUILD_LOCK_WAIT_SECONDS)
    except duckdb.Error as error:
        if "lock" in str(error).lower():
            raise BuildBusy(
                f"构建库 {build} 仍被另一个进程打开 (已等待 {BUILD_LOCK_WAIT_SECONDS} 秒) / "
                f"the build database is still open in another process after {BUILD_LOCK_WAIT_SECONDS} s: {error}"
            ) from error
        _set_aside_unreadable(build, error)
        yield None
        return
    with con:
        con.execute("CHECKPOINT")
        yield con


def _set_aside_unreadable(build: Path, error: Exception) -> None:
    aside = build.with_name(f".{build.name}.unreadable-{_stamp()}")
    for path in (build, *wal_files(build)):
        if path.exists():
            os.replace(path, aside.with_name(aside.name + path.name[len(build.name) :]))
    log.warning(
        "构建库无法读取, 已移至 %s, 其运行记录未保留 / the build database cannot be read (%s): set aside as %s, "
        "its run records are not carried over",
        aside,
        error,
        aside,
    )


def _shared_columns(old: duckdb.DuckDBPyConnection, new: duckdb.DuckDBPyConnection, table: str) -> str:
    """The columns `audit.<table>` has in both databases, quoted and comma-separated ('' if one lacks the table)."""
    query = "SELECT column_name FROM information_schema.columns WHERE table_schema = 'audit' AND table_name = ? ORDER BY ordinal_position"
    in_new = {name for (name,) in new.execute(query, [table]).fetchall()}
    return ", ".join(f'"{name}"' for (name,) in old.execute(query, [table]).fetchall() if name in in_new)


# --- publishing ---------------------------------------------------------------------------------------------------


def publish(build: Path, published: Path, run_id: str, seal: Callable[[duckdb.DuckDBPyConnection], None]) -> int:
    """Publish the build as a new version and point the link at it; returns the version's size in bytes.

    `seal` writes into the copy, before it is made read-only, what the published file says of this run.
    """
    published = published_path_of(published)
    _checkpoint(build)
    version = published.with_name(f".{published.name}.v{_stamp()}-{run_id}")
    staging = version.with_name(f"{version.name}.publishing")
    try:
        _write_version(build, staging, version, seal)
        _set_aside_wal(published)
        _swap_link(published, version)
    except BaseException:
        if published_run(published) != run_id:  # not swapped: nothing of this copy may stay
            for path in (staging, *wal_files(staging), version):
                path.unlink(missing_ok=True)
        raise
    _set_aside_wal(published)
    _remove_old_versions(published, version)
    return version.stat().st_size


def _checkpoint(build: Path) -> None:
    with warehouse.connect(build) as con:
        con.execute("CHECKPOINT").fetchall()
    wal = wal_files(build)[0]
    if wal.exists():
        raise RuntimeError(
            f"{wal} 在检查点之后仍存在: 另一个进程正在写 {build} / {wal} still exists after a checkpoint: "
            f"another process is writing {build}"
        )


def _write_version(
    build: Path, staging: Path, version: Path, seal: Callable[[duckdb.DuckDBPyConnection], None]
) -> None:
    """Copy the build to `staging`, seal it, sync it and make it read-only, then give it the version's name."""
    shutil.copyfile(build, staging)
    with warehouse.connect(staging) as con:
        seal(con)
    if any(w.exists() for w in wal_files(staging)):
        raise RuntimeError(f"{staging} 关闭后仍有预写日志 / {staging} kept a write-ahead log after closing")
    _fsync(staging)
    os.chmod(staging, 0o444)
    os.replace(staging, version)


def _swap_link(published: Path, version: Path) -> None:
    """Point `published` at `version` (beside it) with one rename."""
    link = published.with_name(f".{published.name}.link")
    link.unlink(missing_ok=True)
    os.symlink(version.name, link)
    os.replace(link, published)
    _fsync(published.parent)


def _set_aside_wal(published: Path) -> None:
    """Rename a WAL beside the published path to a stale copy's (with a hard link of the plain file it belongs to)."""
    stray = [wal for wal in wal_files(published) if wal.is_file()]
    if not stray:
        return
    aside = published.with_name(f".{published.name}.stale-{_stamp()}")
    if published.is_file() and not published.is_symlink():  # a warehouse published as a plain file: kept with its WAL
        try:
            os.link(published, aside)
        except OSError:  # a file system without hard links
            shutil.copyfile(published, aside)
    for wal in stray:
        os.replace(wal, aside.with_name(aside.name + wal.name[len(published.name) :]))
    log.warning(
        "已发布仓库旁的预写日志 (读写连接未写回的数据) 已移至 %s / the write-ahead log beside the published "
        "warehouse (a read-write connection's pending writes) was set aside as %s.wal",
        aside,
        aside,
    )


def _remove_old_versions(published: Path, current: Path) -> None:
    """Remove the versions but `current` and every leftover partial copy; a version with a WAL beside it is kept."""
    for partial in published.parent.glob(f".{published.name}.v*.publishing*"):
        partial.unlink(missing_ok=True)
    kept = []
    for version in published_versions(published):
        if version == current:
            continue
        if any(wal.exists() for wal in wal_files(version)):
            kept.append(str(version))
        else:
            version.unlink(missing_ok=True)
    if kept:
        log.warning(
            "保留了有未写回数据的旧版本: %s / older versions kept, with the pending writes of read-write "
            "connections beside them: %s",
            ", ".join(kept),
            ", ".join(kept),
        )
