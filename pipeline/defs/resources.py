"""Dagster resources: the warehouse file, the folder of census files, and the dbt project."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtProject
from pydantic import PrivateAttr, field_validator

from pipeline.defs.instance import release_dead_runs
from pipeline.settings import DBT_PROJECT_DIR
from pipeline.warehouse import db as warehouse
from pipeline.warehouse.lock import RunLock
from pipeline.warehouse.publish import build_path_for, publish, published_path_of, start_build
from pipeline.warehouse.runs import finish_run, start_publishing, start_run

# Its manifest is kept current by pipeline/dbt/manifest.py when the definitions load.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class WarehouseResource(dg.ConfigurableResource):
    """The published warehouse file (`path`) and the build database beside it, which runs write.

    For the length of a run it holds the warehouse's run lock and its row in `audit.runs`; once it holds
    the lock, the build starts from the published file (pipeline/warehouse/publish.py).
    """

    path: str
    _lock: RunLock | None = PrivateAttr(default=None)

    @field_validator("path")
    @classmethod
    def _the_link(cls, path: str) -> str:
        """The published path itself when given one of its versions (a path with the link resolved)."""
        return str(published_path_of(Path(path)))

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.dagster_run is None:  # a schedule or sensor evaluating: only reads, holds nothing
            return
        self._lock = RunLock(Path(self.path), context.run_id)
        self._lock.acquire()
        try:
            self._start(context)
        except BaseException:  # no teardown follows a failed setup: the lock is not kept by a run that never began
            self._lock.release()
            self._lock = None
            raise

    def _start(self, context: dg.InitResourceContext) -> None:
        if context.instance is not None:
            for run_id in release_dead_runs(context.instance, context.run_id):
                context.log.warning(f"run {run_id} had died without finishing; marked failed, its pool slot freed")
        context.log.info(start_build(self.build_path, Path(self.path)))
        years = context.dagster_run.tags.get("dagster/partition") if context.dagster_run else None
        with self.connect() as con:
            start_run(con, context.run_id, years)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is None:
            return
        try:
            with self.connect() as con:  # a run that did not reach publishing
                finish_run(con, context.run_id, "failed")
        finally:
            self._lock.release()

    @property
    def build_path(self) -> Path:
        return build_path_for(Path(self.path))

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the build database."""
        return warehouse.connect(self.build_path, read_only=read_only)

    def publish(self, run_id: str) -> int:
        """Publish the build; the run is `publishing` meanwhile, `published` in the new file and then in the build.

        A publication that fails (a full disk) leaves the run `failed` with the reason.
        """
        at = datetime.now(UTC)
        with self.connect() as con:
            start_publishing(con, run_id)
        try:
            size = publish(
                self.build_path, Path(self.path), run_id, seal=lambda copy: finish_run(copy, run_id, "published", at)
            )
        except Exception as error:
            with self.connect() as con:
                finish_run(con, run_id, "failed", reason=f"发布失败 / publishing failed: {error}")
            raise
        with self.connect() as con:
            finish_run(con, run_id, "published", at)
        return size


class ReportsResource(dg.ConfigurableResource):
    """The county reports: read from the published warehouse `warehouse_path`, written beside it.

    Reports only read a file that publishing replaces atomically, so their runs hold no lock and
    leave `audit.runs` alone. `workers`: processes writing reports (0: one per core).
    """

    warehouse_path: str
    workers: int = 0

    @field_validator("warehouse_path")
    @classmethod
    def _the_link(cls, path: str) -> str:
        """The published path itself, not the version it named when resolved: a later run replaces that version."""
        return str(published_path_of(Path(path)))

    def folder(self, year: int) -> Path:
        """`reports/<year>/` beside the published warehouse."""
        return Path(self.warehouse_path).parent / "reports" / str(year)


class CensusFilesResource(dg.ConfigurableResource):
    """The folder holding one sub-folder of census files per year, and the salt for personal IDs."""

    raw_dir: str
    pii_salt: str | None = None

    @property
    def root(self) -> Path:
        return Path(self.raw_dir)
