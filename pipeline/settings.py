"""Where things are, from environment variables with defaults relative to the project.

Dagster's resources and dbt's profile both read `EQUITY_WAREHOUSE`, so the two
can never point at different files.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.warehouse.publish import build_path_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The dbt installed beside this Python, so that a run never picks up another dbt on PATH; started
# through `equity-dbt` (pipeline/dbt/cli.py), which exits as soon as the command is done.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "equity-dbt")


def report_workers() -> int:
    """`EQUITY_REPORT_WORKERS`: processes writing county reports (0, the default: one per core)."""
    return int(os.environ.get("EQUITY_REPORT_WORKERS") or 0)


def _positive_whole(variable: str, default: int) -> int:
    text = os.environ.get(variable, "").strip().replace("_", "")
    if not text:
        return default
    if not text.isdigit() or int(text) == 0:
        raise ValueError(
            f"{variable} 须为正整数，现为 '{text}' / {variable} must be a positive whole number, not '{text}'"
        )
    return int(text)


def max_unpacked_bytes() -> int:
    """`EQUITY_MAX_UNPACKED_BYTES`: the most a workbook may unpack to (its zip members together), 1 GiB by default.

    A full Excel sheet of twenty short columns unpacks to less; a zip bomb of a few megabytes, to many gigabytes.
    """
    return _positive_whole("EQUITY_MAX_UNPACKED_BYTES", 1 << 30)


def max_rows_per_file() -> int:
    """`EQUITY_MAX_ROWS_PER_FILE`: the most data rows one file may hold, 20 million by default (a nation's teachers)."""
    return _positive_whole("EQUITY_MAX_ROWS_PER_FILE", 20_000_000)


def max_value_chars() -> int:
    """`EQUITY_MAX_VALUE_CHARS`: the longest value a cell may hold, 10,000 characters by default.

    No census value comes near it (the longest are notes of a few hundred characters); a longer one rejects its row.
    """
    return _positive_whole("EQUITY_MAX_VALUE_CHARS", 10_000)


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse: Path
    pii_salt: str | None
    report_workers: int = 0

    @classmethod
    def from_env(cls) -> Settings:
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
