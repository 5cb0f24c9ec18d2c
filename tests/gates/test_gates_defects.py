"""Each kind of defect, planted in a clean demo year, fails exactly the expectations meant to catch it.

Every case runs with both engines: Great Expectations on a pandas batch, and
the SQL translation used for nation-size batches; they must agree on the
verdict, the severity and the count of offending rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.quality import run_suite
from pipeline.warehouse.db import connect
from tests.gates.conftest import failing, load_raw_dir, replace_cell

ENGINES = ["gx", "sql"]


def row(table: str, where: str = "true", pick: str = "min") -> str:
    """The rowid of one 2024 row of `table` matching `where` (the first or last in storage order)."""
    return f"(SELECT {pick}(rowid) FROM {table} WHERE year = 2024 AND {where})"


@dataclass
class Defect:
    id: str
    suite: str
    statements: list[str]
    expected: dict[str, str]
    # {expectation: offending rows} where the count is known exactly
    counts: dict[str, int] = field(default_factory=dict)
    base: str = "raw"


BIG_SCHOOL = "2530014086"  # 明湖区山兴中学 (341): about 240 teachers, over 2000 students
SMALL_SCHOOL_WITH_TEACHERS = (
    "(SELECT school_id FROM raw.teachers WHERE year = 2024 GROUP BY school_id ORDER BY count(*), school_id LIMIT 1)"
)

DEFECTS = [
    # ---------------------------------------------------------------- schools
    Defect(
        "school id missing",
        "raw_schools",
        ["UPDATE raw.schools SET school_id = NULL WHERE rowid = " + row("raw.schools")],
        {"school_id_not_null": "error"},
        {"school_id_not_null": 1},
    ),
    Defect(
        "school id twice",
        "raw_schools",
        [
            "UPDATE raw.schools SET school_id = '0530018192' WHERE rowid = "
            + row("raw.schools", "school_id <> '0530018192'")
        ],
        {"school_id_unique": "error"},
        {"school_id_unique": 2},
    ),
    Defect(
        "county code of 5 digits",
        "raw_schools",
        ["UPDATE raw.schools SET county_code = '53990' WHERE rowid = " + row("raw.schools")],
        {"county_code_six_digits": "error"},
        {"county_code_six_digits": 1},
    ),
    Defect(
        "kindergarten school type",
        "raw_schools",
        ["UPDATE raw.schools SET school_type = '111' WHERE rowid = " + row("raw.schools")],
        {"school_type_in_list": "error"},
        {"school_type_in_list": 1},
    ),
    Defect(
        "unknown urban-rural code",
        "raw_schools",
        ["UPDATE raw.schools SET urban_rural = '999' WHERE rowid = " + row("raw.schools")],
        {"urban_rural_in_list": "error"},
    ),
    Defect(
        "unknown ownership",
        "raw_schools",
        ["UPDATE raw.schools SET ownership = 'state' WHERE rowid = " + row("raw.schools")],
        {"ownership_in_list": "error"},
    ),
    Defect(
        "school built after the census",
        "raw_schools",
        ["UPDATE raw.schools SET built_year = 2030 WHERE rowid = " + row("raw.schools")],
        {"built_year_plausible": "warn"},
    ),
    Defect(
        "county name spelled two ways",
        "raw_schools",
        ["UPDATE raw.schools SET county_name = '明湖县' WHERE rowid = " + row("raw.schools", "county_code = '539901'")],
        {"county_name_consistent": "warn"},
        {"county_name_consistent": 1},
    ),
    Defect(
        "county lost two thirds of its schools",
        "raw_schools",
        [
            "DELETE FROM raw.schools WHERE year = 2024 AND county_code = '539903' AND school_id IN "
            "(SELECT school_id FROM raw.schools WHERE year = 2024 AND county_code = '539903' ORDER BY school_id LIMIT 26)"
        ],
        {"schools_per_county_vs_previous_year": "error", "schools_per_county_change": "warn"},
        {"schools_per_county_vs_previous_year": 1},
    ),
    # ---------------------------------------------------------------- classes
    Defect(
        "class of 150 students",
        "raw_classes",
        ["UPDATE raw.classes SET students = 150 WHERE rowid = " + row("raw.classes")],
        {"class_size_below_150": "error", "class_size_below_100": "warn"},
        {"class_size_below_150": 1},
    ),
    Defect(
        "class of 120 students",
        "raw_classes",
        ["UPDATE raw.classes SET students = 120 WHERE rowid = " + row("raw.classes")],
        {"class_size_below_100": "warn"},
    ),
    Defect(
        "class number used twice in a school",
        "raw_classes",
        [
            "UPDATE raw.classes SET class_id = '0101' WHERE rowid = "
            + row("raw.classes", "school_id = '0530018192' AND class_id = '0102'")
        ],
        {"class_id_unique_in_school": "error"},
        {"class_id_unique_in_school": 2},
    ),
    Defect(
        "grade 13",
        "raw_classes",
        ["UPDATE raw.classes SET grade = 13 WHERE rowid = " + row("raw.classes", "stage = 'primary'")],
        {"grade_in_range": "error", "grade_matches_stage": "warn"},
    ),
    Defect(
        "grade of another stage",
        "raw_classes",
        ["UPDATE raw.classes SET grade = 8 WHERE rowid = " + row("raw.classes", "stage = 'primary'")],
        {"grade_matches_stage": "warn"},
        {"grade_matches_stage": 1},
    ),
    Defect(
        "class of an unknown school",
        "raw_classes",
        [
            "UPDATE raw.classes SET school_id = '9999999999' WHERE rowid = "
            + row("raw.classes", "school_id = '0530018192'")
        ],
        {"class_school_known": "error"},
        {"class_school_known": 1},
    ),
    Defect(
        "school without classes",
        "raw_classes",
        ["DELETE FROM raw.classes WHERE year = 2024 AND school_id = '2530032880'"],
        {"school_has_classes": "error"},
        {"school_has_classes": 1},
    ),
    # ---------------------------------------------------------------- teachers
    Defect(
        "teacher id twice",
        "raw_teachers",
        [
            "UPDATE raw.teachers SET teacher_id = (SELECT teacher_id FROM raw.teachers WHERE rowid = "
            + row("raw.teachers")
            + ") "
            "WHERE rowid = " + row("raw.teachers", pick="max")
        ],
        {"teacher_id_unique": "error"},
        {"teacher_id_unique": 2},
    ),
    Defect(
        "unknown teaching stage",
        "raw_teachers",
        ["UPDATE raw.teachers SET stage = 'kindergarten' WHERE rowid = " + row("raw.teachers")],
        {"stage_in_list": "error"},
        {"stage_in_list": 1},
    ),
    Defect(
        "unknown education level",
        "raw_teachers",
        ["UPDATE raw.teachers SET education = 'phd' WHERE rowid = " + row("raw.teachers")],
        {"education_in_list": "error"},
    ),
    Defect(
        "education blank for 5 % of teachers",
        "raw_teachers",
        ["UPDATE raw.teachers SET education = NULL WHERE year = 2024 AND hash(teacher_id) % 20 = 0"],
        {"education_mostly_present": "warn"},
    ),
    Defect(
        "negative training hours",
        "raw_teachers",
        ["UPDATE raw.teachers SET training_hours_5y = -5 WHERE rowid = " + row("raw.teachers")],
        {"training_hours_not_negative": "error"},
    ),
    Defect(
        "training hours in minutes",
        "raw_teachers",
        ["UPDATE raw.teachers SET training_hours_5y = 30000 WHERE rowid = " + row("raw.teachers")],
        {"training_hours_plausible": "warn"},
    ),
    Defect(
        "teacher of an unknown school",
        "raw_teachers",
        [
            "UPDATE raw.teachers SET school_id = '9999999999' WHERE rowid = "
            + row("raw.teachers", f"school_id = '{BIG_SCHOOL}'")
        ],
        {"teacher_school_known": "error"},
        {"teacher_school_known": 1},
    ),
    Defect(
        "school with students but no teachers",
        "raw_teachers",
        [f"DELETE FROM raw.teachers WHERE year = 2024 AND school_id = {SMALL_SCHOOL_WITH_TEACHERS}"],
        {"school_with_students_has_teachers": "error"},
        {"school_with_students_has_teachers": 1},
    ),
    Defect(
        "most teachers of a big school missing",
        "raw_teachers",
        [
            f"DELETE FROM raw.teachers WHERE year = 2024 AND school_id = '{BIG_SCHOOL}' AND teacher_id NOT IN "
            f"(SELECT teacher_id FROM raw.teachers WHERE year = 2024 AND school_id = '{BIG_SCHOOL}' ORDER BY teacher_id LIMIT 5)"
        ],
        {"students_per_teacher_plausible": "warn"},
        {"students_per_teacher_plausible": 1},
    ),
    # ---------------------------------------------------------------- facilities
    Defect(
        "equipment 10,000x (万元 read as 元)",
        "raw_facilities",
        [
            "UPDATE raw.facilities SET equipment_value_yuan = equipment_value_yuan * 10000 WHERE rowid = "
            + row("raw.facilities", "stage = 'all'")
        ],
        {"per_student_not_100x_county_median": "error"},
        {"per_student_not_100x_county_median": 1},
    ),
    Defect(
        "equipment 10,000x too small",
        "raw_facilities",
        [
            "UPDATE raw.facilities SET equipment_value_yuan = equipment_value_yuan / 10000 WHERE rowid = "
            + row("raw.facilities", "stage = 'all'")
        ],
        {"per_student_not_100x_below_county_median": "warn"},
        {"per_student_not_100x_below_county_median": 1},
    ),
    Defect(
        "two facilities rows for a school",
        "raw_facilities",
        [
            "INSERT INTO raw.facilities SELECT * FROM raw.facilities WHERE rowid = "
            + row("raw.facilities", "stage = 'all'")
        ],
        {"one_row_per_school_and_stage": "error"},
        {"one_row_per_school_and_stage": 2},
    ),
    Defect(
        "negative teaching area",
        "raw_facilities",
        ["UPDATE raw.facilities SET teaching_aux_area_m2 = -1 WHERE rowid = " + row("raw.facilities")],
        {"teaching_area_not_negative": "error"},
    ),
    Defect(
        "school without facilities row",
        "raw_facilities",
        ["DELETE FROM raw.facilities WHERE rowid = " + row("raw.facilities", "stage = 'all'")],
        {"school_with_students_has_facilities": "warn"},
        {"school_with_students_has_facilities": 1},
    ),
    Defect(
        "facilities of an unknown school",
        "raw_facilities",
        ["UPDATE raw.facilities SET school_id = '9999999999' WHERE rowid = " + row("raw.facilities", "stage = 'all'")],
        # the real school now has no facilities row either
        {"facility_school_known": "error", "school_with_students_has_facilities": "warn"},
    ),
    # ---------------------------------------------------------------- rooms, finance, county
    Defect(
        "room of 0 m2",
        "raw_rooms",
        ["UPDATE raw.rooms SET area_m2 = 0 WHERE rowid = " + row("raw.rooms")],
        {"area_positive": "error"},
        {"area_positive": 1},
    ),
    Defect(
        "room of 2000 m2",
        "raw_rooms",
        ["UPDATE raw.rooms SET area_m2 = 2000 WHERE rowid = " + row("raw.rooms")],
        {"area_plausible": "warn"},
    ),
    Defect(
        "unknown room type",
        "raw_rooms",
        ["UPDATE raw.rooms SET room_type = 'gym' WHERE rowid = " + row("raw.rooms")],
        {"room_type_in_list": "error"},
    ),
    Defect(
        "training funds above the budget",
        "raw_finance",
        [
            "UPDATE raw.finance SET teacher_training_yuan = public_funds_budget_yuan * 2 WHERE rowid = "
            + row("raw.finance")
        ],
        {"training_within_budget": "error"},
        {"training_within_budget": 1},
    ),
    Defect(
        "budget 10,000x",
        "raw_finance",
        [
            "UPDATE raw.finance SET public_funds_budget_yuan = public_funds_budget_yuan * 10000 WHERE rowid = "
            + row("raw.finance")
        ],
        {"budget_per_student_near_county_median": "warn"},
        {"budget_per_student_near_county_median": 1},
    ),
    Defect(
        "quota allocated above total",
        "raw_county",
        ["UPDATE raw.county SET quota_allocated = quota_total + 1 WHERE rowid = " + row("raw.county")],
        {"quota_allocated_within_total": "error"},
    ),
    Defect(
        "percentage above 100",
        "raw_county",
        ["UPDATE raw.county SET nearby_enrollment_primary_pct = 150 WHERE rowid = " + row("raw.county")],
        {"nearby_primary_pct_in_range": "error"},
    ),
    Defect(
        "salary in 万元",
        "raw_county",
        ["UPDATE raw.county SET teacher_avg_salary_yuan = 9.64 WHERE rowid = " + row("raw.county")],
        {"teacher_salary_plausible": "warn"},
    ),
    Defect(
        "county code mistyped",
        "raw_county",
        ["UPDATE raw.county SET county_code = '539909' WHERE rowid = " + row("raw.county")],
        {"county_has_schools": "warn"},
    ),
    # ---------------------------------------------------------------- marts
    Defect(
        "county CV above 2",
        "marts_county_cv",
        [
            "UPDATE marts.county_cv SET cv = 2.5 WHERE year = 2024 AND county_code = '539901' AND stage = 'primary' AND indicator = 'R5'"
        ],
        {"cv_in_sane_range": "error", "cv_below_1": "warn", "cv_change_vs_previous_year": "warn"},
        {"cv_in_sane_range": 1},
        base="marts",
    ),
    Defect(
        "county CV jumps by 0.3",
        "marts_county_cv",
        [
            "UPDATE marts.county_cv SET cv = cv + 0.3 WHERE year = 2024 AND county_code = '539901' AND stage = 'primary' AND indicator = 'R5'"
        ],
        {"cv_change_vs_previous_year": "warn"},
        {"cv_change_vs_previous_year": 1},
        base="marts",
    ),
    Defect(
        "evaluated unit at 150x its standard",
        "marts_school_stage_indicators",
        [
            "UPDATE marts.school_stage_indicators SET value = standard * 150, ratio = 150 WHERE rowid = "
            + row("marts.school_stage_indicators", "evaluated")
        ],
        {"evaluated_ratio_below_100": "error"},
        {"evaluated_ratio_below_100": 1},
        base="marts",
    ),
    Defect(
        "evaluated unit without teachers",
        "marts_school_stage_summary",
        [
            "UPDATE marts.school_stage_summary SET teachers = 0 WHERE rowid = "
            + row("marts.school_stage_summary", "evaluated")
        ],
        {"evaluated_unit_has_teachers": "error"},
        {"evaluated_unit_has_teachers": 1},
        base="marts",
    ),
    Defect(
        "more passing units than evaluated",
        "marts_county_summary",
        [
            "UPDATE marts.county_summary SET passing_units = evaluated_units + 1 WHERE rowid = "
            + row("marts.county_summary")
        ],
        {"passing_units_within_evaluated": "error"},
        {"passing_units_within_evaluated": 1},
        base="marts",
    ),
]


def _check(database: Path, suite: str, expected: dict[str, str], counts: dict[str, int], engine: str):
    with connect(database, read_only=True) as con:
        result = run_suite(con, suite, 2024, engine=engine)
    assert failing(result) == expected
    by_name = {r.expectation: r for r in result.results}
    for name, n in counts.items():
        assert by_name[name].unexpected_count == n, (name, by_name[name].observed_value)
    for name in expected:
        r = by_name[name]
        assert r.exception is None, r.exception
        assert r.sample_rows, f"{name}: no sample of the offending rows"
        if suite.startswith("raw_") and r.expectation_type != "unexpected_rows_expectation":
            # a raw row is located by file and row number
            assert {"source_file", "source_row"} <= set(r.sample_rows[0]), r.sample_rows[0]
    assert result.success == ("error" not in expected.values())
    return result


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("defect", DEFECTS, ids=[d.id for d in DEFECTS])
def test_planted_defect_fails_its_expectation(defect: Defect, engine, planted, request):
    base = request.getfixturevalue("clean_marts" if defect.base == "marts" else "clean_raw")
    database = planted(base, *defect.statements)
    _check(database, defect.suite, defect.expected, defect.counts, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_class_of_zero_students_in_a_file_is_named_by_file_and_row(raw_copy, tmp_path, engine):
    path = raw_copy / "2024" / "classes_539903.csv"
    assert replace_cell(path, 3, "students", "0") != "0"
    database = load_raw_dir(raw_copy, tmp_path / "w.duckdb")
    result = _check(database, "raw_classes", {"class_not_empty": "error"}, {"class_not_empty": 1}, engine)
    sample = next(r for r in result.results if r.expectation == "class_not_empty").sample_rows[0]
    assert (sample["source_file"], sample["source_row"], sample["students"]) == ("2024/classes_539903.csv", 3, 0)


def test_county_missing_its_classes_file_is_caught_against_the_previous_year(raw_copy, tmp_path):
    (raw_copy / "2024" / "classes_539903.csv").unlink()
    database = load_raw_dir(raw_copy, tmp_path / "w.duckdb")
    for engine in ENGINES:
        result = _check(
            database,
            "raw_classes",
            {
                "classes_per_county_vs_previous_year": "error",
                "classes_per_county_change": "warn",
                "school_has_classes": "error",
            },
            {"classes_per_county_vs_previous_year": 1},
            engine,
        )
        yoy = next(r for r in result.results if r.expectation == "classes_per_county_vs_previous_year").sample_rows[0]
        assert yoy["county_code"] == "539903" and yoy["rows_this_year"] == 0 and yoy["previous_year"] == 2023


def test_a_first_year_has_nothing_to_compare_with(clean_raw, planted):
    database = planted(
        clean_raw, "DELETE FROM raw.classes WHERE year = 2023", "DELETE FROM raw.schools WHERE year = 2023"
    )
    with connect(database, read_only=True) as con:
        result = run_suite(con, "raw_classes", 2024)
    assert failing(result) == {}
    yoy = next(r for r in result.results if r.expectation == "classes_per_county_vs_previous_year")
    assert yoy.success and "no earlier year" in yoy.details["details"]["note"]
