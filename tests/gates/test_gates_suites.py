"""The suite files: valid Great Expectations suites, complete, documented, and their SQL placeholders."""

from __future__ import annotations

import great_expectations as gx
import pytest
import yaml

from pipeline.ingest.contract import load_contract
from pipeline.quality import MART_SUITES, RAW_SUITES, SUITES_DIR, load_suites
from pipeline.quality.suites import SuiteError, parse_suite, render_query
from pipeline.warehouse.db import connect

SUITES = load_suites()


def test_one_suite_per_raw_table_and_key_mart():
    contract = load_contract()
    assert set(RAW_SUITES) == set(contract.tables)
    assert {SUITES[name].table for name in RAW_SUITES.values()} == {f"raw.{t}" for t in contract.tables}
    assert {SUITES[name].table for name in MART_SUITES.values()} == {f"marts.{m}" for m in MART_SUITES}
    assert set(SUITES) == set(RAW_SUITES.values()) | set(MART_SUITES.values())


@pytest.mark.parametrize("name", sorted(SUITES))
def test_suite_file_is_a_great_expectations_suite(name):
    suite = SUITES[name]
    with open(suite.path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    gx_suite = gx.ExpectationSuite(**data)  # GX validates every expectation's kwargs
    assert gx_suite.name == name == suite.path.stem
    assert len(gx_suite.expectations) == len(suite.expectations)
    assert gx.ExpectationSuite(**suite.to_gx_dict()).expectations[0].severity.value in ("critical", "warning")


@pytest.mark.parametrize("name", sorted(SUITES))
def test_every_expectation_says_what_is_wrong_in_english_and_chinese(name):
    for e in SUITES[name].expectations:
        assert e.severity in ("error", "warn")
        assert len(e.meta["description"].split()) >= 6, (name, e.name)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e.meta.get("description_zh", "")), (name, e.name)


@pytest.mark.parametrize("name", sorted(RAW_SUITES.values()))
def test_raw_suites_read_only_columns_of_the_contract(name):
    suite = SUITES[name]
    table = load_contract().tables[suite.table_name]
    columns = {c.stored_name for c in table.stored_columns} | {"year", "source_file", "source_sheet", "source_row"}
    for e in suite.expectations:
        assert set(e.columns) <= columns, (e.name, e.columns)
    assert set(suite.id_columns) <= columns


def test_mart_suites_read_columns_the_marts_have(clean_marts):
    with connect(clean_marts, read_only=True) as con:
        for name in MART_SUITES.values():
            suite = SUITES[name]
            have = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ?",
                    [suite.table_name],
                ).fetchall()
            }
            for e in suite.expectations:
                assert set(e.columns) <= have, (name, e.name)
            assert set(suite.id_columns) <= have, name


def test_the_issue_checks_are_all_declared():
    names = {(s, e.name): e.severity for s, suite in SUITES.items() for e in suite.expectations}
    required = {
        ("raw_classes", "class_not_empty"): "error",
        ("raw_classes", "class_size_below_150"): "error",
        ("raw_teachers", "school_with_students_has_teachers"): "error",
        ("raw_facilities", "per_student_not_100x_county_median"): "error",
        ("raw_classes", "class_school_known"): "error",
        ("raw_teachers", "teacher_school_known"): "error",
        ("raw_schools", "schools_per_county_vs_previous_year"): "error",
        ("raw_classes", "classes_per_county_vs_previous_year"): "error",
        ("raw_teachers", "teachers_per_county_vs_previous_year"): "error",
        ("raw_teachers", "teacher_id_unique"): "error",
        ("marts_county_cv", "cv_in_sane_range"): "error",
        ("marts_school_stage_indicators", "evaluated_ratio_below_100"): "error",
    }
    assert {k: names.get(k) for k in required} == required


def _suite(**expectation):
    base = {
        "type": "expect_column_values_to_not_be_null",
        "kwargs": {"column": "a"},
        "meta": {"name": "a_not_null", "severity": "error", "description": "a is missing: fill it in"},
    }
    return {"name": "s", "meta": {"table": "raw.t", "parameters": {"k": 2}}, "expectations": [{**base, **expectation}]}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"meta": {"name": "a", "severity": "fatal", "description": "x"}}, "severity"),
        ({"meta": {"name": "a", "severity": "warn"}}, "description"),
        ({"meta": {"severity": "warn", "description": "x"}}, "meta.name"),
        ({"type": "expect_column_kl_divergence_to_be_less_than"}, "not one of"),
        ({"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": "SELECT 1"}}, "{batch}"),
        (
            {
                "type": "unexpected_rows_expectation",
                "kwargs": {"unexpected_rows_query": "SELECT * FROM {batch} WHERE x > {nope}"},
            },
            "nope",
        ),
        ({"kwargs": {"column": "a", "mostly": {"$PARAMETER": "nope"}}}, "nope"),
    ],
)
def test_a_malformed_suite_is_refused(change, message):
    with pytest.raises(SuiteError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_suite(_suite(**change))


def test_render_query_fills_relations_years_and_parameters():
    suite = parse_suite(
        _suite(type="unexpected_rows_expectation", kwargs={"unexpected_rows_query": "x"})
        | {
            "expectations": [
                {
                    "type": "unexpected_rows_expectation",
                    "kwargs": {
                        "unexpected_rows_query": "SELECT {{'a': 1}} FROM {batch} JOIN {raw.schools@previous} WHERE n > {k} AND y = {previous_year} FROM {previous_batch}"
                    },
                    "meta": {"name": "q", "severity": "warn", "description": "a query that checks"},
                }
            ]
        }
    )
    sql = render_query(suite.expectations[0].kwargs["unexpected_rows_query"], suite, 2024, 2023, suite.parameters)
    assert sql == (
        "SELECT {'a': 1} FROM (SELECT * FROM raw.t WHERE year = 2024) JOIN (SELECT * FROM raw.schools WHERE year = 2023) "
        "WHERE n > 2 AND y = 2023 FROM (SELECT * FROM raw.t WHERE year = 2023)"
    )
    first = render_query("SELECT * FROM {previous_batch} WHERE {previous_year} IS NULL", suite, 2024, None, {})
    assert first == "SELECT * FROM (SELECT * FROM raw.t WHERE false) WHERE NULL IS NULL"


def test_suites_live_in_the_expectations_folder():
    assert SUITES_DIR.name == "expectations"
    assert sorted(p.stem for p in SUITES_DIR.glob("*.yml")) == sorted(SUITES)
