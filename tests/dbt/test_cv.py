"""Coefficients of variation (county_cv) and the inequality indices (county_inequality)."""

from __future__ import annotations

import math

import pytest
from conftest import COUNTY_CV, COUNTY_MIXED, COUNTY_NONE, COUNTY_SINGLE, YEAR, one, rows

approx = pytest.approx


def cv_row(con, county: str, stage: str, code: str) -> dict:
    return one(
        con,
        "select * from marts.county_cv where year = ? and county_code = ? and stage = ? and indicator = ?",
        [YEAR, county, stage, code],
    )


def test_single_unit_county_has_cv_zero(main_warehouse):
    cvs = rows(
        main_warehouse, "select * from marts.county_cv where year = ? and county_code = ?", [YEAR, COUNTY_SINGLE]
    )
    # one primary unit, no junior unit → 7 rows, all primary, CV 0, met
    assert len(cvs) == 7 and {r["stage"] for r in cvs} == {"primary"}
    for r in cvs:
        assert (r["n_units"], r["cv"], r["cv_unweighted"], r["status"]) == (1, 0.0, 0.0, "met")
        assert "single evaluated unit" in r["detail"]


def test_cv_exactly_at_the_limit_is_met_and_borderline(main_warehouse):
    # C1, C2: 100 students each, R4 = 5 and 15 → mean 10, sd sqrt((100·25 + 100·25)/200) = 5,
    # CV = 5/10 = 0.5 = the primary limit → met; |0.5 − 0.5| < 0.0005 → borderline.
    r = cv_row(main_warehouse, COUNTY_CV, "primary", "R4")
    assert (r["n_units"], r["students"], r["weighted_mean"]) == (2, 200, 10.0)
    assert (r["cv"], r["cv_limit"], r["status"]) == (0.5, 0.5, "met")
    assert "borderline" in r["detail"]


def test_cv_just_over_the_limit_is_not_met_and_borderline(main_warehouse):
    # R6 = 4996 and 15004 yuan → mean 10000, sd 5004, CV 0.5004 > 0.50 → not_met,
    # |0.5004 − 0.5| = 0.0004 < 0.0005 → borderline (it would print as 0.500).
    r = cv_row(main_warehouse, COUNTY_CV, "primary", "R6")
    assert r["cv"] == approx(0.5004, abs=1e-12)
    assert r["status"] == "not_met"
    assert "borderline" in r["detail"]
    # the old basic-balance limit (0.65) is reported beside it
    assert (r["cv_limit_basic"], r["status_basic"]) == (0.65, "met")


def test_weighted_and_unweighted_cv(main_warehouse):
    # Junior R6: C3 100 students at 2500 yuan, C4 400 students at 10000 yuan.
    # weighted: mean (100·2500 + 400·10000)/500 = 8500, sd sqrt((100·6000² + 400·1500²)/500) = 3000,
    #           CV = 3000/8500 = 0.352941… ≤ 0.45 → met
    # unweighted (population form): mean 6250, sd sqrt((3750² + 3750²)/2) = 3750, CV = 0.6
    r = cv_row(main_warehouse, COUNTY_CV, "junior", "R6")
    assert r["weighted_mean"] == approx(8500)
    assert r["cv"] == approx(3000 / 8500)
    assert r["unweighted_mean"] == approx(6250)
    assert r["cv_unweighted"] == approx(0.6)
    assert (r["cv_limit"], r["status"]) == (0.45, "met")
    # equal values give CV 0
    assert cv_row(main_warehouse, COUNTY_CV, "junior", "R4")["cv"] == approx(0.0, abs=1e-15)


def test_no_evaluated_unit_gives_no_data_never_met(main_warehouse):
    cvs = rows(main_warehouse, "select * from marts.county_cv where year = ? and county_code = ?", [YEAR, COUNTY_NONE])
    # D has primary and junior units (the special school's junior class), none evaluated
    assert len(cvs) == 14
    for r in cvs:
        assert (r["n_units"], r["cv"], r["status"]) == (0, None, "no_data")
        assert r["detail"].startswith("no_data")


def test_cv_excludes_units_without_value(main_warehouse):
    # County A primary R7: A5 has no multimedia count → 7 of 8 evaluated units; the other R's use 8.
    assert cv_row(main_warehouse, COUNTY_MIXED, "primary", "R7")["n_units"] == 7
    assert cv_row(main_warehouse, COUNTY_MIXED, "primary", "R4")["n_units"] == 8


def _units(con, county: str, stage: str, code: str) -> list[tuple[float, int, str]]:
    return [
        (r["value"], r["students"], r["area_class"] or "unknown")
        for r in rows(
            con,
            "select i.value, i.students, d.area_class from marts.school_stage_indicators i "
            "join marts.dim_school d using (year, school_id) "
            "where i.year = ? and i.county_code = ? and i.stage = ? and i.indicator = ? "
            "and i.evaluated and i.value is not null",
            [YEAR, county, stage, code],
        )
    ]


def _reference_measures(units: list[tuple[float, int, str]]) -> dict:
    """Independent textbook formulas (pairwise Gini, Theil T with its decomposition, McLoone)."""
    p = sum(n for _, n, _ in units)
    mu = sum(x * n for x, n, _ in units) / p
    cv = math.sqrt(sum(n * (x - mu) ** 2 for x, n, _ in units) / p) / mu
    gini = sum(ni * nj * abs(xi - xj) for xi, ni, _ in units for xj, nj, _ in units) / (2 * p * p * mu)
    theil = sum((n / p) * (x / mu) * math.log(x / mu) for x, n, _ in units if x > 0)
    between = within = 0.0
    for g in {a for _, _, a in units}:
        members = [(x, n) for x, n, a in units if a == g]
        pg = sum(n for _, n in members)
        mug = sum(x * n for x, n in members) / pg
        tg = sum((n / pg) * (x / mug) * math.log(x / mug) for x, n in members if x > 0)
        share = pg * mug / (p * mu)
        between += share * math.log(mug / mu)
        within += share * tg
    ordered = sorted(units)
    cum, median = 0, None
    for x, n, _ in ordered:
        cum += n
        if 2 * cum >= p:
            median = x
            break
    below = [(x, n) for x, n, _ in units if x <= median]
    mcloone = sum(x * n for x, n in below) / (median * sum(n for _, n in below))
    return dict(cv=cv, gini=gini, theil=theil, theil_between=between, theil_within=within, mcloone=mcloone)


@pytest.mark.parametrize(
    "stage,code", [("primary", "R4"), ("primary", "R5"), ("primary", "R7"), ("junior", "R6"), ("primary", "R2")]
)
def test_inequality_indices_match_textbook_formulas(main_warehouse, stage, code):
    # County A's units are urban, town and rural, of different sizes: compare the warehouse with the
    # pairwise Gini Σi Σj Pi Pj |Xi − Xj| / (2 P² μ), the Theil T index and its between / within
    # decomposition by area_class, and the McLoone index, computed here from the unit values.
    con = main_warehouse
    units = _units(con, COUNTY_MIXED, stage, code)
    assert len(units) >= 3
    expected = _reference_measures(units)
    got = one(
        con,
        "select * from marts.county_inequality where year = ? and county_code = ? and stage = ? and indicator = ?",
        [YEAR, COUNTY_MIXED, stage, code],
    )
    for key in ("gini", "theil", "theil_between", "theil_within", "mcloone"):
        assert got[key] == approx(expected[key], rel=1e-9, abs=1e-12), key
    assert got["theil"] == approx(got["theil_between"] + got["theil_within"], abs=1e-12)
    assert cv_row(con, COUNTY_MIXED, stage, code)["cv"] == approx(expected["cv"], rel=1e-9)


def test_inequality_hand_computed_two_units(main_warehouse):
    # County C primary R4: 100 students at 5, 100 at 15 (both urban). μ = 10.
    # Gini = (2·100·100·|5 − 15|) / (2·200²·10) = 200000/800000 = 0.25
    # Theil = ½·0.5·ln 0.5 + ½·1.5·ln 1.5 = 0.130812…; all of it within the one area class.
    # Weighted median: cumulative students 100 = half of 200 → median 5; McLoone = 5·100/(5·100) = 1.
    got = one(
        main_warehouse,
        "select * from marts.county_inequality where year = ? and county_code = ? "
        "and stage = 'primary' and indicator = 'R4'",
        [YEAR, COUNTY_CV],
    )
    assert got["gini"] == approx(0.25)
    assert got["theil"] == approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert got["theil_between"] == approx(0.0, abs=1e-15)
    assert got["mcloone"] == approx(1.0)
    assert got["weighted_median"] == approx(5.0)


def test_units_meeting_the_standard_and_their_share(main_warehouse):
    # Primary R4 of COUNTY_CV: C1 has 5 m² per student (standard 4.5: met), C2 15 m² (met) → 2 of 2, share 1.0.
    r = cv_row(main_warehouse, COUNTY_CV, "primary", "R4")
    assert (r["units_evaluated"], r["units_met"], r["units_met_share"]) == (2, 2, 1.0)
    # Junior R6: C3 2500 yuan per student (standard 2500: exactly at it, met), C4 10000 (met) → 2 of 2.
    r = cv_row(main_warehouse, COUNTY_CV, "junior", "R6")
    assert (r["units_evaluated"], r["units_met"]) == (2, 2)
    # A stage with no evaluated unit has no share: never 0 % and never 100 %.
    for r in rows(
        main_warehouse, "select * from marts.county_cv where year = ? and county_code = ?", [YEAR, COUNTY_NONE]
    ):
        assert (r["units_met"], r["units_met_share"]) == (0, None)
