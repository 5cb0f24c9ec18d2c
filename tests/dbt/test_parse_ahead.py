"""The first run of a year parses the dbt project in the background while files are read; the dbt step uses that parse."""

from __future__ import annotations

import time

from pipeline.dbt_targets import PARTIAL_PARSE, parse_ahead, saved_parse, seed_parse

YEAR = 2031  # no other test builds it


def test_a_parse_started_ahead_is_waited_for_then_used(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITY_BUILD_DATABASE", str(tmp_path / "equity.build.duckdb"))   # a database of its own
    saved = saved_parse(YEAR)
    try:
        assert not saved.exists()
        started = time.monotonic()
        parse_ahead(YEAR)
        assert time.monotonic() - started < 2     # it returns at once; dbt parses in the background
        parse_ahead(YEAR)                         # a second call while it runs starts nothing more
        target = tmp_path / "target"
        seed_parse(target, YEAR)                  # waits for the background parse, then starts from it
        assert saved.exists() and saved.stat().st_size > 100_000
        assert (target / PARTIAL_PARSE).read_bytes() == saved.read_bytes()
        again = time.monotonic()
        parse_ahead(YEAR)                         # the year has its parse now: nothing to do
        assert time.monotonic() - again < 0.5
    finally:
        saved.unlink(missing_ok=True)
        saved.with_suffix(".lock").unlink(missing_ok=True)
