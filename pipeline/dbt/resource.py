"""dagster-dbt's dbt resource without its two start-up costs that this project does not need.

Before every dbt invocation `DbtCliResource.cli()` (dagster-dbt 0.29)
1. runs `dbt --version` in a subprocess to learn which dbt it drives (Core or Fusion):
   2 s with a warm bytecode cache, 4 s without, on every run;
2. loads the dbt project, the profile and dbt's macros to open an adapter handle, used only
   to fetch row counts or column metadata (`.fetch_row_counts()`, `.fetch_column_metadata()`),
   which this project does not ask for: 1.5 s.

Here the dbt executable is always the dbt-core installed beside this Python (settings.py),
so its version is read from the package metadata, and no adapter is opened.
"""

from __future__ import annotations

from functools import cached_property
from importlib.metadata import version as package_version
from typing import Any

from dagster_dbt import DbtCliResource
from packaging import version


class CensusDbtCliResource(DbtCliResource):
    """`DbtCliResource` for the dbt-core installed in this environment (see the module docstring)."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(package_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Any) -> None:  # type: ignore[override]
        return None
