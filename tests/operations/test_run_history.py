"""The run history is cheap to write: no fsync per event, no warning per dbt test that is not a check."""

from __future__ import annotations

import logging

import sqlalchemy

from pipeline.defs import instance
from pipeline.defs.instance import lighten_run_history

NOTICE = "Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test `unique_x`."


def test_sqlite_connections_commit_without_waiting_for_the_disk(tmp_path):
    lighten_run_history()
    lighten_run_history()  # idempotent: one listener
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'history.db'}", poolclass=sqlalchemy.pool.NullPool)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
    engine.dispose()


def _write_event(path):
    engine = sqlalchemy.create_engine(f"sqlite:///{path}", poolclass=sqlalchemy.pool.NullPool)
    with engine.begin() as connection:  # Dagster's way: a connection of its own per event
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS events (id INTEGER)")
        connection.exec_driver_sql("INSERT INTO events VALUES (1)")
    engine.dispose()


def test_closing_the_connection_of_an_event_does_not_checkpoint_the_file(tmp_path):
    lighten_run_history()
    history = tmp_path / "run.db"
    _write_event(history)
    _write_event(history)
    # Had the last connection closed, SQLite would have checkpointed the WAL into the file (an fsync) and deleted it.
    assert (tmp_path / "run.db-wal").exists()
    assert (
        sqlalchemy.create_engine(f"sqlite:///{history}")
        .connect()
        .exec_driver_sql("SELECT count(*) FROM events")
        .scalar()
        == 2
    )


def test_only_the_most_recent_files_are_held_open(tmp_path):
    lighten_run_history()
    paths = [tmp_path / f"run-{i}.db" for i in range(instance.HELD_OPEN_FILES + 3)]
    for path in paths:
        _write_event(path)  # creates the file and turns WAL on
        _write_event(path)  # a file in WAL mode: held open from here on
    held = set(instance._held_open)
    assert len(held) == instance.HELD_OPEN_FILES
    assert str(paths[-1]) in held and str(paths[0]) not in held
    assert not (tmp_path / "run-0.db-wal").exists()  # released: its last connection closed and checkpointed


def test_only_the_notice_of_a_dbt_test_that_is_not_a_check_is_dropped(caplog):
    lighten_run_history()
    logger = logging.getLogger("dagster.builtin")
    with caplog.at_level(logging.INFO, logger="dagster.builtin"):
        logger.warning(NOTICE)
        logger.warning("something else worth saying")
    assert [r.getMessage() for r in caplog.records if r.name == "dagster.builtin"] == ["something else worth saying"]
