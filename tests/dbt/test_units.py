"""Units (学校学段), the weighted split of `all` facilities, R1–R7 values and the pass rule.

The dataset is conftest.MAIN_TABLES (census year 2024); each school is described there.
"""

from __future__ import annotations

import pytest
from conftest import YEAR, one, rows

approx = pytest.approx


def indicator(con, school_id: str, stage: str, code: str) -> dict:
    return one(
        con,
        "select * from marts.school_stage_indicators where year = ? and school_id = ? and stage = ? and indicator = ?",
        [YEAR, school_id, stage, code],
    )


def summary(con, school_id: str, stage: str) -> dict:
    return one(
        con,
        "select * from marts.school_stage_summary where year = ? and school_id = ? and stage = ?",
        [YEAR, school_id, stage],
    )


def test_units_per_school_type(main_warehouse):
    units = {
        (r["school_id"], r["stage"])
        for r in rows(main_warehouse, "select school_id, stage from marts.school_stage_summary where year = ?", [YEAR])
    }
    # primary 211 → primary; nine-year 312 → both; complete secondary 341 → junior only (its
    # senior part is out of scope); twelve-year 345 → both; special 513 → the stages it has classes in.
    assert ("A1", "primary") in units and ("A1", "junior") not in units
    assert {("A2", "primary"), ("A2", "junior")} <= units
    assert ("A3", "junior") in units and ("A3", "primary") not in units and ("A3", "senior") not in units
    assert {("E4", "primary"), ("E4", "junior")} <= units and ("E4", "senior") not in units
    assert {("D1", "primary"), ("D1", "junior")} <= units
    # a special school with primary classes only has no junior unit
    assert ("E6", "primary") in units and ("E6", "junior") not in units
    # schools without classes still have their units (0 students)
    assert ("D3", "primary") in units and ("D4", "primary") in units


def test_excluded_units_are_listed_with_values_and_reason(main_warehouse):
    con = main_warehouse
    expected = {
        ("D1", "primary"): "special_education",
        ("D1", "junior"): "special_education",
        ("D2", "primary"): "teaching_point_under_50",  # 30 students
        ("D3", "primary"): "teaching_point_under_50",  # 0 students: the first reason that applies
        ("D4", "primary"): "no_students",
        ("A4", "primary"): None,  # teaching point with exactly 50 students
    }
    for (school_id, stage), reason in expected.items():
        s = summary(con, school_id, stage)
        assert s["excluded_reason"] == reason, (school_id, stage)
        assert s["evaluated"] is (reason is None)
    # values are still computed for excluded units:
    # D1 primary: 3 bachelor teachers, 8 + 7 = 15 students → R1 = 100·3/15 = 20.0 (met, ≥ 4.2)
    r1 = indicator(con, "D1", "primary", "R1")
    assert (r1["value"], r1["status"], r1["evaluated"]) == (approx(20.0), "met", False)
    assert r1["excluded_reason"] == "special_education"
    # D2: 150 m² / 30 students = 5.0 m² (≥ 4.5)
    r4 = indicator(con, "D2", "primary", "R4")
    assert (r4["value"], r4["status"]) == (approx(5.0), "met")


def test_zero_students_gives_no_data(main_warehouse):
    # D4 has a facilities row but no classes: every value is null and no_data.
    for r in rows(
        main_warehouse, "select * from marts.school_stage_indicators where year = ? and school_id = 'D4'", [YEAR]
    ):
        assert r["value"] is None and r["ratio"] is None
        assert r["status"] == "no_data"
        assert r["no_data_reason"] == "no students"
    s = summary(main_warehouse, "D4", "primary")
    assert (s["students"], s["met_count"], s["no_data_count"], s["min_ratio"], s["passes"]) == (0, 0, 7, None, False)


def test_split_of_all_row_in_nine_year_school(main_warehouse):
    con = main_warehouse
    # A2: 200 primary and 100 junior students; weights 1.0 and 1.1 → 200 and 110 of 310.
    # area 3100 → primary 3100·200/310 = 2000 → R4 = 2000/200 = 10.0; junior 1100 → 1100/100 = 11.0
    # sports 6200 → 4000/200 = 20 and 2200/100 = 22; equipment 1,550,000 → 5000 and 5500 yuan;
    # multimedia 31 → 20 rooms → R7 = 100·20/200 = 10.0 and 11 → 100·11/100 = 11.0
    expected = {
        ("primary", "R4"): 10.0,
        ("junior", "R4"): 11.0,
        ("primary", "R5"): 20.0,
        ("junior", "R5"): 22.0,
        ("primary", "R6"): 5000.0,
        ("junior", "R6"): 5500.0,
        ("primary", "R7"): 10.0,
        ("junior", "R7"): 11.0,
    }
    for (stage, code), value in expected.items():
        r = indicator(con, "A2", stage, code)
        assert r["value"] == approx(value, rel=1e-12), (stage, code)
        assert r["facilities_source"] == "split_all"
    # the shares add up to the row (no senior part here)
    total = one(
        con,
        "select sum(teaching_aux_area_m2) as a, sum(multimedia_classrooms) as m "
        "from intermediate.int_school_stage_facilities where year = ? and school_id = 'A2'",
        [YEAR],
    )
    assert total == {"a": approx(3100), "m": approx(31)}


def test_split_of_all_row_with_senior_students_in_complete_secondary_school(main_warehouse):
    con = main_warehouse
    # A3: 100 junior and 100 senior students; weights 1.1 and 1.32 → 110 and 132 of 242.
    # area 2420 → junior 2420·110/242 = 1100 → R4 = 11.0, senior 1320;
    # equipment 605,000 → junior 275,000 → R6 = 2750; multimedia 22 → junior 10 → R7 = 10.0
    facilities = {
        r["stage"]: r
        for r in rows(
            con, "select * from intermediate.int_school_stage_facilities where year = ? and school_id = 'A3'", [YEAR]
        )
    }
    assert set(facilities) == {"junior", "senior"}
    assert facilities["junior"]["all_row_share"] == approx(110 / 242)
    assert facilities["senior"]["all_row_share"] == approx(132 / 242)
    assert facilities["junior"]["teaching_aux_area_m2"] == approx(1100)
    assert facilities["senior"]["teaching_aux_area_m2"] == approx(1320)
    assert facilities["senior"]["multimedia_classrooms"] == approx(12)  # fractional shares are kept
    assert indicator(con, "A3", "junior", "R4")["value"] == approx(11.0)
    assert indicator(con, "A3", "junior", "R6")["value"] == approx(2750.0)
    assert indicator(con, "A3", "junior", "R7")["value"] == approx(10.0)


def test_split_in_special_school(main_warehouse):
    # D1: 15 primary (weight 1.0) and 10 junior (1.1 → 11) students, 300 m² → primary 300·15/26,
    # R4 = (300·15/26)/15 = 300/26 = 11.538…; junior 300·11/26 → R4 = (300·11/26)/10 = 12.692…
    assert indicator(main_warehouse, "D1", "primary", "R4")["value"] == approx(300 / 26)
    assert indicator(main_warehouse, "D1", "junior", "R4")["value"] == approx(300 * 11 / 26 / 10)


def test_nine_year_unit_students_add_up_to_class_students(main_warehouse):
    # A2: 5×40 = 200 primary + 2×50 = 100 junior = 300 = its classes' students.
    units = one(
        main_warehouse,
        "select sum(students) as s from marts.school_stage_summary where year = ? and school_id = 'A2'",
        [YEAR],
    )["s"]
    assert units == 300


def test_teacher_qualification_rules(main_warehouse):
    con = main_warehouse
    # A4 (primary): 3 associate-degree teachers, 50 students → R1 = 100·3/50 = 6.0 (associate counts
    # for primary); 1 county backbone → R2 = 2.0; 1 music teacher → R3 = 2.0.
    assert indicator(con, "A4", "primary", "R1")["value"] == approx(6.0)
    assert indicator(con, "A4", "primary", "R2")["value"] == approx(2.0)
    assert indicator(con, "A4", "primary", "R3")["value"] == approx(2.0)
    # A3 (junior): 6 bachelor + 1 associate, 100 students → R1 = 100·6/100 = 6.0 (associate does not
    # count for junior); the 5 senior teachers belong to no unit.
    r1 = indicator(con, "A3", "junior", "R1")
    assert (r1["value"], r1["numerator"], r1["standard"]) == (approx(6.0), 6, approx(5.3))
    assert summary(con, "A3", "junior")["teachers"] == 7
    # A9: 6 backbone / 520 students → R2 = 1.1538…; 5 PE / 520 → R3 = 0.9615… ≥ 0.9 → met
    assert indicator(con, "A9", "primary", "R2")["value"] == approx(600 / 520)
    r3 = indicator(con, "A9", "primary", "R3")
    assert (r3["value"], r3["status"]) == (approx(500 / 520), "met")
    assert r3["ratio"] == approx(500 / 520 / 0.9)


def test_value_exactly_at_standard_is_met(main_warehouse):
    # A2 primary: 2 backbone teachers / 200 students → R2 = 1.0 = the standard.
    r2 = indicator(main_warehouse, "A2", "primary", "R2")
    assert (r2["value"], r2["standard"], r2["ratio"], r2["status"]) == (1.0, 1.0, 1.0, "met")


def test_six_met_and_one_no_data_does_not_pass(main_warehouse):
    # A5: R1–R6 met, multimedia count missing → R7 no_data.
    r7 = indicator(main_warehouse, "A5", "primary", "R7")
    assert (r7["value"], r7["status"], r7["no_data_reason"]) == (None, "no_data", "facility figure missing")
    s = summary(main_warehouse, "A5", "primary")
    assert (s["met_count"], s["no_data_count"], s["min_ratio"], s["passes"], s["pass_status"]) == (
        6,
        1,
        None,
        False,
        "no_data",
    )


def test_six_met_and_one_at_90_percent_passes(main_warehouse):
    # A6: R6 = 180,000/100 = 1800 yuan, ratio 1800/2000 = 0.90 ≥ 0.85; the other six met.
    r6 = indicator(main_warehouse, "A6", "primary", "R6")
    assert (r6["value"], r6["ratio"], r6["status"]) == (approx(1800), approx(0.9), "not_met")
    s = summary(main_warehouse, "A6", "primary")
    assert (s["met_count"], s["min_ratio"], s["passes"], s["pass_status"]) == (6, approx(0.9), True, "met")


def test_no_facilities_row_gives_no_data_for_r4_to_r7(main_warehouse):
    # E1 has classes but neither teachers nor facilities: R1–R3 are 0 (not met), R4–R7 no_data.
    by_code = {
        r["indicator"]: r
        for r in rows(
            main_warehouse, "select * from marts.school_stage_indicators where year = ? and school_id = 'E1'", [YEAR]
        )
    }
    assert [by_code[c]["status"] for c in ("R1", "R2", "R3")] == ["not_met"] * 3
    assert {by_code[c]["no_data_reason"] for c in ("R4", "R5", "R6", "R7")} == {"no facilities row covers the unit"}
    # a real failure (3 unmet) is not_met whatever the missing values would be
    assert summary(main_warehouse, "E1", "primary")["pass_status"] == "not_met"
