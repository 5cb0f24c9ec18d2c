"""Dagster resources: the warehouse file, the folder of census files, and the dbt project."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtProject

from pipeline.ingest import warehouse
from pipeline.publishing import build_path_for, publish
from pipeline.settings import DBT_PROJECT_DIR

# Its manifest is prepared by `make` (dbt parse) and by the test fixtures, never at import time.
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class WarehouseResource(dg.ConfigurableResource):
    """The published warehouse file (`path`) and the build database beside it, which runs write."""

    path: str

    @property
    def build_path(self) -> Path:
        return build_path_for(Path(self.path))

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to the build database."""
        return warehouse.connect(self.build_path, read_only=read_only)

    def publish(self) -> int:
        return publish(self.build_path, Path(self.path))


class CensusFilesResource(dg.ConfigurableResource):
    """The folder holding one sub-folder of census files per year, and the salt for personal IDs."""

    raw_dir: str
    pii_salt: str | None = None

    @property
    def root(self) -> Path:
        return Path(self.raw_dir)
