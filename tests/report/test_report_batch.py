"""A year's reports written by a pool of processes are the same files as written one by one."""

from __future__ import annotations

import re

import pytest

from pipeline.report import batch
from pipeline.report.batch import worker_count, write_reports

YEAR = 2024
GENERATED = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")  # the time of writing differs between two writes


@pytest.mark.parametrize(
    ("reports", "workers", "expected"),
    [
        (3, 2, 1),  # too few to be worth a second process
        (16, 2, 2),  # 8 reports per worker at least
        (120, 2, 2),  # never more than asked
        (120, 1, 1),
        (0, 4, 1),
    ],
)
def test_worker_count(reports, workers, expected):
    assert worker_count(reports, workers) == expected


def test_a_pool_of_processes_writes_the_same_reports_as_one_process(demo_warehouse, tmp_path, monkeypatch):
    serial = write_reports(demo_warehouse, YEAR, tmp_path / "serial", workers=1)
    monkeypatch.setattr(batch, "REPORTS_PER_WORKER", 1)  # three counties: worth two workers now
    progress = []
    pooled = write_reports(demo_warehouse, YEAR, tmp_path / "pooled", workers=2, on_written=progress.append)

    assert [f.county_code for f in pooled] == [f.county_code for f in serial] == ["539901", "539902", "539903"]
    assert sorted(f.county_code for f in progress) == ["539901", "539902", "539903"]
    for one, other in zip(serial, pooled):
        assert other.html.parent == tmp_path / "pooled"
        assert GENERATED.sub("", other.html.read_text(encoding="utf-8")) == GENERATED.sub(
            "", one.html.read_text(encoding="utf-8")
        )
        assert other.xlsx.stat().st_size > 0


def test_an_unknown_county_fails_in_the_pool_too(demo_warehouse, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "REPORTS_PER_WORKER", 1)
    with pytest.raises(LookupError, match="999999"):
        write_reports(demo_warehouse, YEAR, tmp_path, counties=["539901", "999999"], workers=2)
