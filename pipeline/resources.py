"""Dagster resources: the warehouse file and the folder of census files."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from pipeline.ingest import warehouse


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file the pipeline writes."""

    path: str

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        return warehouse.connect(Path(self.path), read_only=read_only)


class CensusFilesResource(dg.ConfigurableResource):
    """The folder holding one sub-folder of census files per year, and the salt for personal IDs."""

    raw_dir: str
    pii_salt: str | None = None

    @property
    def root(self) -> Path:
        return Path(self.raw_dir)
