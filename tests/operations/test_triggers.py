"""The nightly schedule runs only changed years; the sensor starts a run when files appear."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from pipeline.partitions import census_years
from pipeline.resources import CensusFilesResource, WarehouseResource
from pipeline.schedules import annual_full_rebuild, nightly_changed_years
from pipeline.sensors import census_files_sensor
from tests.census_files import write_small_census


@pytest.fixture
def resources(census):
    return {
        "warehouse": WarehouseResource(path=str(census / "out" / "equity.duckdb")),
        "census_files": CensusFilesResource(raw_dir=str(census / "raw")),
    }


def test_nightly_schedule_skips_unchanged_years_and_runs_a_changed_one(census, resources):
    instance = dg.DagsterInstance.ephemeral()
    context = dg.build_schedule_context(instance=instance, resources=resources)
    assert isinstance(nightly_changed_years(context), dg.SkipReason)

    write_small_census(census / "raw", 2024, extra_students=3)
    requests = nightly_changed_years(dg.build_schedule_context(instance=instance, resources=resources))
    assert [r.partition_key for r in requests] == ["2024"]
    assert instance.has_dynamic_partition(census_years.name, "2024")


def test_annual_schedule_rebuilds_every_year(census, resources):
    instance = dg.DagsterInstance.ephemeral()
    requests = annual_full_rebuild(dg.build_schedule_context(instance=instance, resources=resources))
    assert sorted(r.partition_key for r in requests) == ["2023", "2024"]


def test_sensor_fires_for_a_new_year_and_not_for_what_is_published(census, resources):
    instance = dg.DagsterInstance.ephemeral()
    first = census_files_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert first.run_requests == []  # everything on disk is already published
    write_small_census(census / "raw", 2025)
    second = census_files_sensor(dg.build_sensor_context(instance=instance, resources=resources, cursor=first.cursor))
    assert [r.partition_key for r in second.run_requests] == ["2025"]
    assert second.dynamic_partitions_requests[0].partition_keys == ["2023", "2024", "2025"]
    assert set(json.loads(second.cursor)) == {"2023", "2024", "2025"}
    third = census_files_sensor(dg.build_sensor_context(instance=instance, resources=resources, cursor=second.cursor))
    assert third.run_requests == []  # nothing changed since
