"""The project-local Dagster instance shared by `equity run` and `make ui`, so both show one run history."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import dagster as dg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from pipeline.settings import PROJECT_ROOT

DAGSTER_YAML = """\
# Written by the equity pipeline. Telemetry off: bureau servers are often offline.
telemetry:
  enabled: false
python_logs:
  managed_python_loggers:
    - pipeline
  python_log_level: INFO
concurrency:
  pools:
    default_limit: 1   # the assets that write the warehouse share the pool "warehouse"
  runs:
    max_concurrent_runs: 1
"""


def dagster_home() -> Path:
    home = Path(os.environ.setdefault("DAGSTER_HOME", str(PROJECT_ROOT / ".dagster_home"))).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8").startswith(DAGSTER_YAML.splitlines()[0]):
        config.write_text(DAGSTER_YAML, encoding="utf-8")  # ours, kept current; a file you wrote is left alone
    return home


def get_instance() -> dg.DagsterInstance:
    dagster_home()
    return dg.DagsterInstance.get()


def release_dead_runs(instance: dg.DagsterInstance, current_run_id: str) -> list[str]:
    """Mark runs that died without reporting (SIGKILL, power cut) as failed and free their pool slots.

    Called by a run once it holds the warehouse's run lock: every other run still
    marked as started cannot be alive, since a live run holds that lock. Without
    this, a killed run keeps its slot of the `warehouse` pool and the next run
    waits for it forever (no daemon reaps runs executed in process).
    """
    stale = instance.get_runs(
        filters=dg.RunsFilter(
            job_name="census_year", statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]
        )
    )
    released = []
    for run in stale:
        if run.run_id == current_run_id:
            continue
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        instance.report_run_failed(run, message="the run ended without reporting (killed?); released by a later run")
        released.append(run.run_id)
    return released


class _DropNonCheckTestNotices(logging.Filter):
    """dagster-dbt warns once per dbt test that is not an asset check: by design, most of ours (see
    pipeline/defs/assets/indicators.py). A hundred warnings a run say nothing, and each is an event written
    to the run history."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Logging an `AssetObservation` instead of an `AssetCheckResult`")


# Run-history files held open by this process, least recently used first (see lighten_run_history).
_held_open: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_held_open_lock = threading.Lock()
HELD_OPEN_FILES = 8


def _hold_open(connection: sqlite3.Connection, path: str) -> None:
    if path in _held_open:
        _held_open.move_to_end(path)
        return
    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        return  # a file not yet in WAL mode is held from its next connection on
    held = sqlite3.connect(path, check_same_thread=False)
    held.execute("SELECT count(*) FROM sqlite_master").fetchall()  # a first read opens the WAL's index: "not the last"
    _held_open[path] = held
    while len(_held_open) > HELD_OPEN_FILES:
        _held_open.popitem(last=False)[1].close()


def _sqlite_without_fsync_per_event(dbapi_connection: object, _record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        path = dbapi_connection.execute("PRAGMA database_list").fetchone()[2]
        if path:
            with _held_open_lock:
                _hold_open(dbapi_connection, path)


def lighten_run_history() -> None:
    """Make the run history (Dagster's SQLite storage under DAGSTER_HOME) cheap to write; idempotent.

    Dagster commits each of a run's some 500 events (a nation-size year) in a connection of its
    own, and SQLite's default waits for the disk (fsync) at every commit: seconds per run on an
    idle disk, most of a small run's time on a busy one. The storage is in WAL mode, where
    `synchronous=NORMAL` is SQLite's documented recommendation: no fsync per commit, and still
    no corruption on a crash or power cut (the last events may be lost then, never the
    warehouse, which keeps its own record of runs in `audit.runs`).

    That connection is also the file's only one, and SQLite checkpoints the WAL into the file
    (an fsync) and deletes it whenever the last connection closes: at every event again. So the
    process holds each file it writes open (the `HELD_OPEN_FILES` most recent), and the WAL is
    checkpointed every thousand pages, as SQLite does by default.
    """
    if not event.contains(Engine, "connect", _sqlite_without_fsync_per_event):
        event.listen(Engine, "connect", _sqlite_without_fsync_per_event)
    dagster_logger = logging.getLogger("dagster.builtin")
    if not any(isinstance(f, _DropNonCheckTestNotices) for f in dagster_logger.filters):
        dagster_logger.addFilter(_DropNonCheckTestNotices())
