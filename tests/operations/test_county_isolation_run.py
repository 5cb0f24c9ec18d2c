"""A province where one county's file is unreadable publishes the other counties; that county is held back."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.gates.conftest import replace_cell
from tests.operations.conftest import equity

DEMO_2024 = Path(__file__).resolve().parents[2] / "data" / "raw" / "2024"
HELD, CHANGED = "539902", "539901"


def _marts_of(warehouse: Path, county: str) -> dict[str, list[tuple]]:
    """The county's rows of the marts that carry a county code (blocked columns aside)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'marts' AND column_name = 'county_code' "
                "AND table_name IN (SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE') ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: con.execute(
                f"SELECT * EXCLUDE (blocked, blocked_reason, blocked_reason_zh, data_as_of) FROM marts.{t} WHERE county_code = ? ORDER BY ALL"
                if t == "county_summary"
                else f"SELECT * FROM marts.{t} WHERE county_code = ? ORDER BY ALL",
                [county],
            ).fetchall()
            for t in tables
        }


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> tuple[Path, Path, dict, dict]:
    """The demo 2024 published once, then run again with one county's classes file unreadable and another changed."""
    home = tmp_path_factory.mktemp("isolation")
    shutil.copytree(DEMO_2024, home / "raw" / "2024")
    warehouse = home / "out" / "equity.duckdb"
    first = equity("run", "--raw", str(home / "raw"), "--warehouse", str(warehouse), "--no-reports", home=home)
    assert first.returncode == 0, first.stdout + first.stderr
    before = {c: _marts_of(warehouse, c) for c in (HELD, CHANGED)}
    (home / "raw" / "2024" / f"classes_{HELD}.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    replace_cell(home / "raw" / "2024" / f"classes_{CHANGED}.csv", 2, "班级人数", "30")
    second = equity("run", "--raw", str(home / "raw"), "--warehouse", str(warehouse), "--no-reports", home=home)
    after = {c: _marts_of(warehouse, c) for c in (HELD, CHANGED)}
    return warehouse, second, before, after


def test_the_other_counties_are_published_with_their_new_figures(province):
    warehouse, run, before, after = province
    assert run.returncode == 1  # a file was refused: the run says so
    assert f"classes_{HELD}.xlsx" in run.stderr
    assert "Not published" not in run.stderr
    assert f"暂缓发布 / held back 2024 {HELD}: 文件 2024/classes_{HELD}.xlsx 被拒收" in " ".join(run.stderr.split())
    assert after[CHANGED]["school_stage_summary"] != before[CHANGED]["school_stage_summary"]


def test_the_held_county_keeps_its_last_good_marts(province):
    _, _, before, after = province
    assert after[HELD] == before[HELD]
    assert after[HELD]["school_stage_indicators"]


def test_the_held_county_shows_blocked_with_its_reason_and_the_date_of_its_data(province):
    warehouse, *_ = province
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT county_code, blocked, blocked_reason, blocked_reason_zh, data_as_of IS NOT NULL "
            "FROM marts.county_summary WHERE year = 2024 ORDER BY county_code"
        ).fetchall()
        loaded_first = con.execute("SELECT min(loaded_at) FROM audit.loads WHERE year = 2024").fetchone()[0]
        data_as_of = con.execute("SELECT data_as_of FROM audit.blocked_counties WHERE year = 2024").fetchall()
    assert [(c, b) for c, b, *_ in rows] == [("539901", False), ("539902", True), ("539903", False)]
    held = rows[1]
    assert f"classes_{HELD}.xlsx" in held[2] and held[3].startswith(f"文件 2024/classes_{HELD}.xlsx 被拒收") and held[4]
    assert data_as_of == [(loaded_first,)]  # the rows it keeps are those of the first, published load


def test_the_held_county_report_says_its_figures_are_held_back_and_from_when(province, tmp_path):
    warehouse, *_ = province
    done = equity(
        "report",
        "--county",
        HELD,
        "--year",
        "2024",
        "--warehouse",
        str(warehouse),
        "--out",
        str(tmp_path),
        "--workers",
        "1",
        home=warehouse.parent.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    html = next(tmp_path.glob(f"*{HELD}*.html")).read_text(encoding="utf-8")
    assert "本县本年数据暂缓发布（文件 2024/classes_539902.xlsx 被拒收" in html
    assert "本报告所用数据为20" in html  # the date of the first, published load
