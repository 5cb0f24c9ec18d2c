"""Results are stored in audit.quality_results, rendered as data docs and as text for the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline.quality import build_docs, load_results, render_failures, run_suite, write_results
from pipeline.warehouse.db import connect
from tests.gates.conftest import REPO

ZERO_CLASS = "UPDATE raw.classes SET students = 0 WHERE rowid = (SELECT min(rowid) FROM raw.classes WHERE year = 2024)"


def test_results_are_stored_with_run_id_and_read_back(clean_raw, planted):
    database = planted(clean_raw, ZERO_CLASS)
    with connect(database, read_only=True) as con:
        first = run_suite(con, "raw_classes", 2024, run_id="run-1")
        second = run_suite(con, "raw_schools", 2024, run_id="run-1")
    with connect(database) as con:
        assert write_results(con, [first, second]) == len(first.results) + len(second.results)
        rows = con.execute(
            "SELECT suite, expectation, table_name, year, severity, success, observed_value, sample_rows, run_id, evaluated_at "
            "FROM audit.quality_results WHERE NOT success"
        ).fetchall()
    assert len(rows) == 1
    suite, expectation, table, year, severity, success, observed, sample, run_id, evaluated_at = rows[0]
    assert (suite, expectation, table, year, severity, success, run_id) == (
        "raw_classes",
        "class_not_empty",
        "raw.classes",
        2024,
        "error",
        False,
        "run-1",
    )
    assert json.loads(observed)["unexpected_count"] == 1
    assert json.loads(sample)[0]["source_file"].startswith("2024/classes_") and evaluated_at is not None
    with connect(database, read_only=True) as con:
        back = load_results(con, run_ids=["run-1"], failed_only=True)
    assert [(r.expectation, r.sample_rows) for r in back] == [
        (r.expectation, r.sample_rows) for r in first.results if not r.success
    ]


def test_load_results_latest_keeps_the_last_run_of_each_suite_and_year(clean_raw, planted):
    database = planted(clean_raw, ZERO_CLASS)
    with connect(database, read_only=True) as con:
        bad = run_suite(con, "raw_classes", 2024, run_id="bad")
    with connect(database) as con:
        write_results(con, bad)
        con.execute("UPDATE raw.classes SET students = 30 WHERE students = 0")
        good = run_suite(con, "raw_classes", 2024, run_id="good")
        write_results(con, good)
        latest = load_results(con, latest=True)
    assert {r.run_id for r in latest} == {"good"} and all(r.success for r in latest)
    assert [r.expectation for r in latest] == [e.expectation for e in good.results]


def test_data_docs_show_the_failure_with_file_row_and_fix(clean_raw, planted, tmp_path):
    database = planted(clean_raw, ZERO_CLASS)
    with connect(database) as con:
        results = [run_suite(con, suite, 2024, run_id="docs-run") for suite in ("raw_classes", "raw_schools")]
        write_results(con, results)
        index = build_docs(con, tmp_path / "quality_docs")
    page = index.read_text(encoding="utf-8")
    assert index == tmp_path / "quality_docs" / "index.html"
    assert "blocked: 1 error(s)" in page and "class_not_empty" in page
    assert "班级人数为0" in page and "2024/classes_" in page
    gx_pages = sorted((tmp_path / "quality_docs" / "gx" / "validations").rglob("*.html"))
    assert [p.relative_to(tmp_path / "quality_docs" / "gx" / "validations").parts[0] for p in gx_pages] == [
        "raw_classes",
        "raw_schools",
    ]
    assert "Expectation Validation Result" in gx_pages[0].read_text(encoding="utf-8")
    assert (tmp_path / "quality_docs" / "gx" / "index.html").exists()


def test_failures_render_as_text_with_sample_rows(clean_raw, planted):
    database = planted(
        clean_raw,
        ZERO_CLASS,
        "UPDATE raw.classes SET students = 120 WHERE rowid = (SELECT max(rowid) FROM raw.classes WHERE year = 2024)",
    )
    with connect(database, read_only=True) as con:
        result = run_suite(con, "raw_classes", 2024)
    text = render_failures([result])
    lines = text.splitlines()
    assert lines[0] == "Data-quality gates: 1 error(s) (block the year), 1 warning(s)"
    error_line = next(i for i, line in enumerate(lines) if line.startswith("ERROR"))
    assert lines[error_line].startswith("ERROR raw.classes 2024  raw_classes.class_not_empty  (1 of ")
    assert any(
        line.strip().startswith("- 2024/classes_") and " row " in line and "students=0" in line for line in lines
    )
    assert any(line.startswith("WARN  raw.classes 2024  raw_classes.class_size_below_100") for line in lines)
    assert render_failures([result], include_warnings=False).count("WARN") == 0
    with connect(clean_raw, read_only=True) as con:
        assert render_failures([run_suite(con, "raw_classes", 2024)]) == ""


def _gates(*args):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.quality", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_command_line_exits_non_zero_and_names_the_failure(clean_raw, planted):
    database = planted(clean_raw, ZERO_CLASS)
    done = _gates("--warehouse", str(database), "--year", "2024", "--suite", "raw_classes", "raw_schools", "--store")
    assert done.returncode == 1, done.stderr
    assert "raw_classes.class_not_empty" in done.stdout and "2024/classes_" in done.stdout
    assert (database.parent / "quality_docs" / "index.html").exists()
    with connect(database, read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT suite) FROM audit.quality_results").fetchone() == (2,)
    clean = _gates("--warehouse", str(clean_raw), "--year", "2023", "--suite", "raw_classes")
    assert clean.returncode == 0 and "passes" in clean.stdout
