"""`equity report`: every county of a year, one county, and clear refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def equity_report(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "EQUITY_REPORT_WORKERS": "2"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "report", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_county_of_a_year_then_one_county_in_english(demo_warehouse, tmp_path):
    done = equity_report("--year", "2024", "--warehouse", str(demo_warehouse), "--out", str(tmp_path / "all"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        f"report_{county}_2024_zh.{ext}" for county in ("539901", "539902", "539903") for ext in ("html", "xlsx")
    ]
    assert all(f"{county} 2024:" in done.stdout for county in ("539901", "539902", "539903"))

    one = equity_report(
        "--county",
        "539902",
        "--year",
        "2023",
        "--lang",
        "en",
        "--warehouse",
        str(demo_warehouse),
        "--out",
        str(tmp_path / "one"),
    )
    assert one.returncode == 0, one.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "report_539902_2023_en.html",
        "report_539902_2023_en.xlsx",
    ]


def test_an_unknown_county_or_warehouse_is_refused_clearly(demo_warehouse, tmp_path):
    unknown = equity_report(
        "--county", "999999", "--year", "2024", "--warehouse", str(demo_warehouse), "--out", str(tmp_path)
    )
    assert unknown.returncode == 2 and "999999" in unknown.stderr
    assert list(tmp_path.iterdir()) == []
    missing = equity_report("--warehouse", str(tmp_path / "nothing.duckdb"))
    assert missing.returncode == 2 and "no warehouse at" in " ".join(missing.stderr.split())
