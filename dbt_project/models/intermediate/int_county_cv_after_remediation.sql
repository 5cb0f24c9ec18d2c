-- The county's coefficients of variation (R1–R7 per stage) recomputed as if the
-- minimum additions of the remediation plan were made: every evaluated unit
-- takes its value after the additions marked needed_to_pass in
-- int_school_remediation (value_after), the other units keep theirs, and the CV
-- is computed exactly as in int_county_cv (macros/cv_statistics.sql: over the
-- evaluated units whose value is not null, student-weighted, one unit → 0, a
-- mean of 0 → no_data) against the same limit. One row per row of
-- int_county_cv, with the CV before beside it, so the bureau sees whether
-- fixing the failing units also brings each CV within its limit, or which
-- indicator still needs levelling across schools.

with

values_ as (

    select * from {{ ref('int_school_stage_indicator_values') }}

),

plan as (

    select year, school_id, stage, indicator, value_after
    from {{ ref('int_school_remediation') }}
    where needed_to_pass

),

cv as (

    select * from {{ ref('int_county_cv') }}

),

std as (

    {{ pivot_standards([
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

after_plan as (

    select
        values_.year,
        values_.county_code,
        values_.stage,
        values_.indicator,
        values_.school_id,
        values_.students,
        coalesce(plan.value_after, values_.value)    as value

    from values_
    left join plan
        on values_.year = plan.year
        and values_.school_id = plan.school_id
        and values_.stage = plan.stage
        and values_.indicator = plan.indicator
    where values_.evaluated and values_.value is not null

),

stats as (

    {{ cv_statistics('after_plan') }}

),

plan_units as (

    select
        year, county_code, stage, indicator,
        count(*)    as units_raised
    from {{ ref('int_school_remediation') }}
    where needed_to_pass
    group by year, county_code, stage, indicator

)

select
    cv.year,
    cv.county_code,
    cv.stage,
    cv.indicator,
    cv.n_units,
    coalesce(plan_units.units_raised, 0)                                as units_raised,
    cv.weighted_mean                                                    as weighted_mean_before,
    stats.weighted_mean                                                 as weighted_mean_after,
    cv.cv                                                               as cv_before,
    stats.cv                                                            as cv_after,
    cv.cv_limit,
    cv.status                                                           as status_before,
    {{ status_at_most('stats.cv', 'cv.cv_limit', 'std.tolerance') }}    as status_after

from cv
left join stats
    on cv.year = stats.year
    and cv.county_code = stats.county_code
    and cv.stage = stats.stage
    and cv.indicator = stats.indicator
left join plan_units
    on cv.year = plan_units.year
    and cv.county_code = plan_units.county_code
    and cv.stage = plan_units.stage
    and cv.indicator = plan_units.indicator
left join std
    on cv.year = std.year
    and cv.county_code = std.county_code
