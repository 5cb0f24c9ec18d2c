"""The run history is cheap to write: no fsync per event, no warning per dbt test that is not a check."""

from __future__ import annotations

import logging

import sqlalchemy

from pipeline.instance import lighten_run_history

NOTICE = "Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test `unique_x`."


def test_sqlite_connections_commit_without_waiting_for_the_disk(tmp_path):
    lighten_run_history()
    lighten_run_history()  # idempotent: one listener
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'history.db'}", poolclass=sqlalchemy.pool.NullPool)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL (FULL is 2)
    engine.dispose()


def test_only_the_notice_of_a_dbt_test_that_is_not_a_check_is_dropped(caplog):
    lighten_run_history()
    logger = logging.getLogger("dagster.builtin")
    with caplog.at_level(logging.INFO, logger="dagster.builtin"):
        logger.warning(NOTICE)
        logger.warning("something else worth saying")
    assert [r.getMessage() for r in caplog.records if r.name == "dagster.builtin"] == ["something else worth saying"]
