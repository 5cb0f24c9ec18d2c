"""The demo census (data/raw: 2023 and 2024, three counties) as a warehouse, for tests that need real data.

Loaded by the real ingestion and built by the real dbt project (models and seeds; its data
tests run elsewhere), about 20 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from pipeline.ingest.year import load_year
from pipeline.warehouse.db import connect

REPO = Path(__file__).resolve().parents[1]
DEMO_RAW = REPO / "data" / "raw"
YEARS = (2023, 2024)


def build_demo_warehouse(workdir: Path) -> Path:
    database = workdir / "equity.duckdb"
    with connect(database) as con:
        for year in YEARS:
            load_year(con, DEMO_RAW, year, f"report-test-{uuid.uuid4()}", salt=None)
    dbt = Path(sys.executable).with_name("dbt")
    project = REPO / "dbt_project"
    env = {
        **os.environ,
        "EQUITY_WAREHOUSE": str(database),
        "EQUITY_BUILD_DATABASE": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_USE_COLORS": "False",
        "DBT_VERSION_CHECK": "False",
    }
    done = subprocess.run(
        [
            str(dbt),
            "build",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode != 0:
        raise AssertionError(f"dbt build failed on the demo census:\n{done.stdout[-5000:]}\n{done.stderr[-2000:]}")
    return database
