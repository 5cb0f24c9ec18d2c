"""Markers for the quick loop (`make test-fast`): `slow` for tests that build a warehouse with dbt or run
Dagster or `equity` end to end, `browser` for those that drive headless Chromium.

A module's tests are `slow` when the module lives in a folder whose fixtures build warehouses (dbt builds,
demo reports, whole runs) or is listed below; the rest (ingestion on small files, the synthetic census, the
definitions) runs in well under a minute.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
SLOW_FOLDERS = {"dbt", "gates", "operations", "report"}
SLOW_MODULES = {"test_cli_output.py", "test_dagster_and_cli.py", "test_personal_data_run.py"}
BROWSER_TESTS = {"test_headless_chromium_renders_without_errors_or_requests"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(item.fspath).relative_to(HERE)
        if path.parts[0] in SLOW_FOLDERS or path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
        if item.originalname in BROWSER_TESTS:
            item.add_marker(pytest.mark.browser)
