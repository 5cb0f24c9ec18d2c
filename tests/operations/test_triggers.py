"""The nightly schedule runs only changed years; the sensor starts a run when files appear."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg
import pytest

from pipeline.defs.partitions import census_years
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from pipeline.defs.schedules import annual_full_rebuild, nightly_changed_years
from pipeline.defs.sensors import census_files_sensor, reports_after_publish
from tests.census_files import write_small_census


@pytest.fixture
def instance():
    """A temporary instance with an instance reference (schedule contexts with resources need one)."""
    with dg.instance_for_test() as temporary:
        yield temporary


@pytest.fixture
def resources(census):
    return {
        "warehouse": WarehouseResource(path=str(census / "out" / "equity.duckdb")),
        "census_files": CensusFilesResource(raw_dir=str(census / "raw")),
    }


def test_nightly_schedule_skips_unchanged_years_and_runs_a_changed_one(census, resources, instance):
    with dg.build_schedule_context(instance=instance, resources=resources) as context:
        assert isinstance(nightly_changed_years(context), dg.SkipReason)

    write_small_census(census / "raw", 2024, extra_students=3)
    with dg.build_schedule_context(instance=instance, resources=resources) as context:
        requests = nightly_changed_years(context)
    assert [r.partition_key for r in requests] == ["2024"]
    assert instance.has_dynamic_partition(census_years.name, "2024")


def test_annual_schedule_rebuilds_every_year(census, resources, instance):
    tick = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    with dg.build_schedule_context(instance=instance, resources=resources, scheduled_execution_time=tick) as context:
        requests = annual_full_rebuild(context)
    assert sorted((r.partition_key, r.run_key) for r in requests) == [
        ("2023", "annual-20261201-2023"),
        ("2024", "annual-20261201-2024"),
    ]


def test_sensor_fires_for_a_new_year_and_not_for_what_is_published(census, resources, instance):
    lock = census / "out" / ".equity.duckdb.lock"
    lock.unlink(missing_ok=True)
    with dg.build_sensor_context(instance=instance, resources=resources) as context:
        first = census_files_sensor(context)
    assert first.run_requests == []  # everything on disk is already published
    write_small_census(census / "raw", 2025)
    with dg.build_sensor_context(instance=instance, resources=resources, cursor=first.cursor) as context:
        second = census_files_sensor(context)
    assert [r.partition_key for r in second.run_requests] == ["2025"]
    assert second.dynamic_partitions_requests[0].partition_keys == ["2023", "2024", "2025"]
    assert set(json.loads(second.cursor)) == {"2023", "2024", "2025"}
    with dg.build_sensor_context(instance=instance, resources=resources, cursor=second.cursor) as context:
        third = census_files_sensor(context)
    assert third.run_requests == []  # nothing changed since
    assert not lock.exists()  # evaluating the sensor is not a run: it takes no run lock


def test_reports_sensor_asks_for_the_reports_of_the_year_just_published(instance):
    with dg.build_sensor_context(instance=instance) as context:
        assert [type(r) for r in reports_after_publish(context)] == [dg.SkipReason]  # nothing published yet
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=["warehouse", "published"], partition="2024"))
    with dg.build_sensor_context(instance=instance) as context:
        requests = list(reports_after_publish(context))
    assert [(r.partition_key, r.tags["trigger"]) for r in requests] == [("2024", "published")]
