"""County indicators (county_assessment), the violation lists and county_summary with its rollups."""

from __future__ import annotations

import pytest
from conftest import (
    COUNTY_CLASSES,
    COUNTY_CV,
    COUNTY_GOOD,
    COUNTY_MIXED,
    COUNTY_NODATA_UNIT,
    COUNTY_NONE,
    COUNTY_SINGLE,
    COUNTY_SIZE,
    COUNTY_VETO,
    YEAR,
    one,
    rows,
)

approx = pytest.approx
QUALITATIVE = {"G1", "G2", "G10", "Q3", "Q5", "Q6", "Q7", "Q8"}


def assessment(con, county: str) -> dict[tuple[str, str | None], dict]:
    return {
        (r["indicator"], r["stage"]): r
        for r in rows(con, "select * from marts.county_assessment where year = ? and county_code = ?", [YEAR, county])
    }


def county_summary(con, county: str) -> dict:
    return one(con, "select * from marts.county_summary where year = ? and county_code = ?", [YEAR, county])


def test_every_county_has_every_indicator(main_warehouse):
    counties = [r["county_code"] for r in rows(main_warehouse, "select county_code from marts.county_summary")]
    assert len(counties) == 9
    for county in counties:
        codes = {k[0] for k in assessment(main_warehouse, county)}
        assert {
            "R",
            "G3",
            "G4",
            "G5",
            "G6",
            "G7",
            "G8",
            "G9",
            "G11",
            "G12",
            "G13",
            "G14",
            "G15",
            "Q1",
            "Q2",
            "Q4",
            "Q9",
            "S1",
            "V",
        } | QUALITATIVE <= codes, county


def test_qualitative_items_are_never_met(main_warehouse):
    for county in (COUNTY_GOOD, COUNTY_MIXED):
        a = assessment(main_warehouse, county)
        for code in QUALITATIVE:
            assert a[(code, None)]["status"] == "qualitative"
            assert "inspectors" in a[(code, None)]["detail"]


def test_county_file_indicators_exactly_at_their_standards_are_met(main_warehouse):
    a = assessment(main_warehouse, COUNTY_GOOD)
    # G8 100000/100000 = 1.0; G7 6000; G13 100 % and 95 %; G14 500/1000 = 0.5; G15 85/100 = 0.85;
    # Q1 950/(1000 + 10 − 10 − 0) = 0.95; Q2 95/100 = 0.95; Q9 composite 0.5 and CV 0.15; S1 85/100.
    expected = {
        ("G6", None): 1.0,
        ("G7", None): 6000.0,
        ("G8", None): 1.0,
        ("G13", "primary"): 1.0,
        ("G13", "junior"): 0.95,
        ("G14", None): 0.5,
        ("G15", None): 0.85,
        ("Q1", None): 0.95,
        ("Q2", None): 0.95,
        ("Q9", None): 0.5,
        ("S1", None): 0.85,
        ("V", None): 0.0,
    }
    for key, value in expected.items():
        assert a[key]["value"] == approx(value), key
        assert a[key]["status"] == "met", key
    assert a[("Q9", None)]["second_value"] == approx(0.15)
    assert a[("Q9", None)]["second_comparison"] == "<="


def test_county_file_indicators_no_data_when_the_row_is_absent(main_warehouse):
    a = assessment(main_warehouse, COUNTY_SINGLE)
    for key in [
        ("G6", None),
        ("G7", None),
        ("G8", None),
        ("G13", "primary"),
        ("G13", "junior"),
        ("G14", None),
        ("G15", None),
        ("Q1", None),
        ("Q2", None),
        ("Q9", None),
        ("S1", None),
        ("V", None),
    ]:
        assert a[key]["status"] == "no_data", key
        assert a[key]["value"] is None
        assert "no county row" in a[key]["detail"]


def test_county_file_indicators_partly_given(main_warehouse):
    a = assessment(main_warehouse, COUNTY_MIXED)
    assert a[("G6", None)]["status"] == "not_met"  # flag false
    assert (a[("G7", None)]["value"], a[("G7", None)]["status"]) == (7000, "met")
    assert a[("G8", None)]["status"] == "no_data"  # civil-servant salary missing
    assert "civil_servant_avg_salary_yuan" in a[("G8", None)]["detail"]
    assert a[("G13", "primary")]["status"] == "met"  # 100 %
    assert (a[("G13", "junior")]["value"], a[("G13", "junior")]["status"]) == (approx(0.94), "not_met")
    assert (a[("G14", None)]["status"], a[("G14", None)]["detail"]) == ("no_data", "denominator is 0")
    assert (a[("G15", None)]["value"], a[("G15", None)]["status"]) == (approx(0.9), "met")  # 90/100
    assert a[("Q1", None)]["status"] == "no_data"  # transfers and deaths missing
    assert (a[("Q2", None)]["value"], a[("Q2", None)]["status"]) == (approx(0.94), "not_met")  # 47/50
    assert a[("Q9", None)]["status"] == "not_met"  # composite 0.6 ok, CV 0.2 > 0.15
    assert (a[("S1", None)]["value"], a[("S1", None)]["status"]) == (approx(0.85), "met")  # 170/200
    assert a[("V", None)]["status"] == "met"  # empty veto text = none


def test_teacher_indicators(main_warehouse):
    a = assessment(main_warehouse, COUNTY_MIXED)
    # G9: 95 primary/junior teachers in county A, one with unknown hours (A1), one with 100 < 360 (A9):
    # a known failure → not_met; value 93/95.
    assert (a[("G9", None)]["numerator"], a[("G9", None)]["denominator"]) == (93, 95)
    assert a[("G9", None)]["status"] == "not_met"
    # G12: one certificate unknown (A7), none known to be missing → no_data, never met.
    assert a[("G12", None)]["status"] == "no_data"
    # G11: 10 eligible, 1 rotated → 10 % (meets 10 %), but 0 of the 1 rotated are backbone (< 20 %).
    g11 = a[("G11", None)]
    assert (g11["value"], g11["second_value"], g11["status"]) == (approx(0.1), 0.0, "not_met")
    good = assessment(main_warehouse, COUNTY_GOOD)
    # county G: 2 of 20 eligible rotated = 10 %; 1 of the 2 a backbone teacher = 50 % ≥ 20 % → met
    assert (good[("G11", None)]["value"], good[("G11", None)]["second_value"]) == (approx(0.1), approx(0.5))
    assert good[("G11", None)]["status"] == "met"
    assert good[("G9", None)]["status"] == "met" and good[("G12", None)]["status"] == "met"


def test_music_and_art_rooms(main_warehouse):
    per_school = {
        r["school_id"]: r
        for r in rows(main_warehouse, "select * from intermediate.int_school_music_art_rooms where year = ?", [YEAR])
    }
    # A1 built 2010 (before 2016): music 80 ≥ 73, art 70 ≥ 67 → met
    assert (per_school["A1"]["music_min_area"], per_school["A1"]["art_min_area"]) == (73, 67)
    assert per_school["A1"]["status"] == "met"
    # A2 built 2018: music 80 < 96 → not met
    assert (per_school["A2"]["adequate_music_rooms"], per_school["A2"]["status"]) == (0, "not_met")
    # A4 rural teaching point, largest class 25 < 30, primary only → 54 m²: 55 and 55 → met
    assert per_school["A4"]["is_rural_small"] and per_school["A4"]["music_min_area"] == 54
    assert per_school["A4"]["status"] == "met"
    # A8 rural nine-year school, largest class 25 → 61 m² (junior, and schools with both):
    # music 60 < 61 (not adequate), art 62 → not met
    assert per_school["A8"]["music_min_area"] == 61
    assert (per_school["A8"]["adequate_music_rooms"], per_school["A8"]["adequate_art_rooms"]) == (0, 1)
    assert per_school["A8"]["status"] == "not_met"
    # A9: 13 classes → ceil(13/12) = 2 rooms of each type; 2 music, 1 art → not met
    assert (
        per_school["A9"]["required_rooms"],
        per_school["A9"]["adequate_music_rooms"],
        per_school["A9"]["adequate_art_rooms"],
        per_school["A9"]["status"],
    ) == (2, 2, 1, "not_met")
    # teaching points under 50 and special schools are not assessed
    assert "D1" not in per_school and "D2" not in per_school
    a = assessment(main_warehouse, COUNTY_MIXED)
    # county A: 9 schools assessed, 6 meet (A2, A8, A9 fail) → 6/9, not met
    assert (a[("G3", None)]["numerator"], a[("G3", None)]["denominator"]) == (6, 9)
    assert a[("G3", None)]["status"] == "not_met"
    # county B gave no rooms file rows → no_data
    assert assessment(main_warehouse, COUNTY_SINGLE)[("G3", None)]["status"] == "no_data"


def test_school_size_violations(main_warehouse):
    got = {
        r["school_id"]: r
        for r in rows(main_warehouse, "select * from marts.school_size_violations where year = ?", [YEAR])
    }
    # E1 2001 > 2000; E4 1351 + 1150 = 2501 > 2500; E5 junior part 2001 > 2000.
    # E2 (2000) and E3 (2500) are exactly at their limits; E6 (special) is not classed.
    assert set(got) == {"E1", "E4", "E5"}
    assert (got["E1"]["compulsory_students"], got["E1"]["size_limit"], got["E1"]["excess"]) == (2001, 2000, 1)
    assert (got["E4"]["compulsory_students"], got["E4"]["size_limit"], got["E4"]["excess"]) == (2501, 2500, 1)
    assert (got["E5"]["compulsory_students"], got["E5"]["size_limit"], got["E5"]["excess"]) == (2001, 2000, 1)
    a = assessment(main_warehouse, COUNTY_SIZE)
    # 5 schools classed (E1–E5), 2 within → 2/5
    assert (a[("G4", None)]["numerator"], a[("G4", None)]["denominator"], a[("G4", None)]["status"]) == (
        2,
        5,
        "not_met",
    )


def test_class_size_categories(main_warehouse):
    got = {
        (r["stage"], r["students"]): r
        for r in rows(
            main_warehouse,
            "select * from marts.class_size_violations where year = ? and county_code = ?",
            [YEAR, COUNTY_CLASSES],
        )
    }
    expected = {
        ("primary", 46): ("over_standard", 45, 1),
        ("primary", 55): ("over_standard", 45, 10),
        ("primary", 56): ("large", 45, 11),
        ("primary", 65): ("large", 45, 20),
        ("primary", 66): ("super_large", 45, 21),
        ("junior", 51): ("over_standard", 50, 1),
        ("junior", 55): ("over_standard", 50, 5),
        ("junior", 56): ("large", 50, 6),
        ("junior", 65): ("large", 50, 15),
        ("junior", 66): ("super_large", 50, 16),
    }
    # the 45-student primary and 50-student junior classes are within the standard: not listed
    assert set(got) == set(expected)
    for key, (category, standard, excess) in expected.items():
        assert (got[key]["category"], got[key]["standard"], got[key]["excess"]) == (category, standard, excess)
    s = county_summary(main_warehouse, COUNTY_CLASSES)
    # super-large: 66 + 66 = 132 students; large: 56 + 65 + 56 + 65 = 242; all ten: 132 + 242 + 46 + 55 + 51 + 55
    assert (s["super_large_classes"], s["students_in_super_large_classes"]) == (2, 132)
    assert (s["large_classes"], s["students_in_large_classes"]) == (4, 242)
    assert (s["oversize_classes"], s["students_in_oversize_classes"]) == (10, 581)


def test_resource_verdicts(main_warehouse):
    con = main_warehouse
    # county G: every evaluated unit passes, all 14 CVs met → met
    assert assessment(con, COUNTY_GOOD)[("R", None)]["status"] == "met"
    # county C: the primary R6 CV (0.5004) is over its limit → not_met
    assert assessment(con, COUNTY_CV)[("R", None)]["status"] == "not_met"
    # county I: I2 lacks R7 (6 met + 1 no_data): it does not pass, but only for lack of data, and
    # every CV is met → no_data (the verdict rests on missing data)
    r = assessment(con, COUNTY_NODATA_UNIT)[("R", None)]
    assert (r["numerator"], r["denominator"], r["status"]) == (1, 2, "no_data")
    # county D: no evaluated unit, every CV no_data → no_data
    assert assessment(con, COUNTY_NONE)[("R", None)]["status"] == "no_data"
    # per-stage rows carry the CV against its limit
    r4 = assessment(con, COUNTY_CV)[("R4", "primary")]
    assert (r4["value"], r4["standard"], r4["comparison"], r4["status"]) == (0.5, 0.5, "<=", "met")


def test_county_summary_verdicts(main_warehouse):
    con = main_warehouse
    good = county_summary(con, COUNTY_GOOD)
    # everything measurable met, but G1, G2, G10, Q3, Q5–Q8 await the inspectors → incomplete
    assert (good["resource_met"], good["government_met"], good["quality_met"], good["social_met"]) == (
        "met",
        "incomplete",
        "incomplete",
        "met",
    )
    assert (good["veto"], good["overall"]) == (False, "incomplete")
    assert (
        good["units"],
        good["evaluated_units"],
        good["passing_units"],
        good["cv_checks"],
        good["cv_within_limits"],
    ) == (2, 2, 2, 14, 14)
    # county H: the same, plus a veto item → not_met whatever else holds
    veto = county_summary(con, COUNTY_VETO)
    assert (veto["veto"], veto["overall"]) == (True, "not_met")
    assert veto["resource_met"] == "met" and "重大安全" in veto["veto_items"]
    # county D: nothing measurable fails, much is unknown → incomplete (never met)
    none = county_summary(con, COUNTY_NONE)
    assert (none["units"], none["evaluated_units"], none["veto"], none["overall"]) == (5, 0, None, "incomplete")
    # county B: resource met, the rest rests on missing county data → incomplete
    single = county_summary(con, COUNTY_SINGLE)
    assert (single["resource_met"], single["overall"]) == ("met", "incomplete")
    # county A: measurable failures (G3, G5, Q2, …) → not_met
    assert county_summary(con, COUNTY_MIXED)["overall"] == "not_met"
    # no county is ever `met` while qualitative items are pending
    assert not rows(con, "select * from marts.county_summary where overall = 'met'")


def test_dim_school_codes(main_warehouse):
    d = one(main_warehouse, "select * from marts.dim_school where year = ? and school_id = 'A8'", [YEAR])
    assert (d["county_code"], d["city_code"], d["province_code"]) == ("530102", "530100", "530000")
    assert (d["urban_rural"], d["area_class"]) == ("210", "rural")
    classes = {
        r["school_id"]: r["area_class"]
        for r in rows(
            main_warehouse, "select school_id, area_class from marts.dim_school where school_id in ('A1','A2','A3')"
        )
    }
    assert classes == {"A1": "urban", "A2": "town", "A3": "urban"}  # 111, 121, 112


def test_city_and_province_rollups(main_warehouse):
    con = main_warehouse
    city = {r["city_code"]: r for r in rows(con, "select * from marts.city_summary where year = ?", [YEAR])}
    # 5301xx: A, B, C, D, I, E (6 counties); 5323xx: G, H; 5201xx: F
    assert {k: v["counties"] for k, v in city.items()} == {"530100": 6, "532300": 2, "520100": 1}
    assert (
        city["532300"]["counties_incomplete"],
        city["532300"]["counties_not_met"],
        city["532300"]["counties_with_veto"],
    ) == (1, 1, 1)
    province = {r["province_code"]: r for r in rows(con, "select * from marts.province_summary where year = ?", [YEAR])}
    assert {k: v["counties"] for k, v in province.items()} == {"530000": 8, "520000": 1}
    assert province["520000"]["students_in_super_large_classes"] == 132
    total_units = one(con, "select count(*) as n from marts.school_stage_summary where year = ?", [YEAR])["n"]
    assert sum(v["units"] for v in province.values()) == total_units
