"""Where things are, from environment variables with defaults relative to the project.

Dagster's resources and dbt's profile both read `EQUITY_WAREHOUSE`, so the two
can never point at different files.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.publishing import build_path_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The dbt installed beside this Python, so that a run never picks up another dbt on PATH; started
# through `equity-dbt` (pipeline/dbt_cli.py), which exits as soon as the command is done.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "equity-dbt")


def report_workers() -> int:
    """`EQUITY_REPORT_WORKERS`: processes writing county reports (0, the default: one per core)."""
    return int(os.environ.get("EQUITY_REPORT_WORKERS") or 0)


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    pii_salt: str | None
    report_workers: int = 0

    @classmethod
    def from_env(cls) -> "Settings":
        settings = cls(
            raw_dir=Path(os.environ.get("EQUITY_RAW_DIR", PROJECT_ROOT / "data" / "raw")).resolve(),
            warehouse=Path(os.environ.get("EQUITY_WAREHOUSE", PROJECT_ROOT / "warehouse" / "equity.duckdb")).resolve(),
            pii_salt=os.environ.get("EQUITY_PII_SALT") or None,
            report_workers=report_workers(),
        )
        settings.export()
        return settings

    @property
    def build_database(self) -> Path:
        return build_path_for(self.warehouse)

    def export(self) -> None:
        """Make the resolved paths the environment of the dbt processes started from here.

        dbt writes the build database (`EQUITY_BUILD_DATABASE`), never the published file.
        """
        os.environ["EQUITY_RAW_DIR"] = str(self.raw_dir)
        os.environ["EQUITY_WAREHOUSE"] = str(self.warehouse)
        os.environ["EQUITY_BUILD_DATABASE"] = str(self.build_database)
