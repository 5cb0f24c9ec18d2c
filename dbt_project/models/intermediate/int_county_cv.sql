-- Coefficient of variation between schools (校际差异系数) per county, year,
-- stage and indicator R1–R7, over the evaluated units whose value is not null,
-- weighted by students (Xi the unit's value, Pi its students, P = Σ Pi):
--     mean = Σ Pi·Xi / P,  sd = sqrt(Σ Pi·(Xi − mean)² / P),  CV = sd / mean.
-- With one such unit the CV is 0; with none, or a weighted mean of 0, it is
-- null and the status no_data. The unweighted CV (population form: divide by n)
-- is reported beside it. A county has rows for every stage in which it has at
-- least one unit (evaluated or not). Limits from standards CV / <stage> /
-- cv_limit (0.50 primary, 0.45 junior from 2017; the basic-balance 0.65 / 0.55
-- before), and the basic-balance limit is reported beside (cv_limit_basic).
-- `detail` contains 'borderline' when |CV − limit| < 0.0005 (standards CV /
-- all / borderline_tolerance).

with

values_ as (

    select * from {{ ref('int_school_stage_indicator_values') }}

),

indicators as (

    select indicator from {{ ref('indicators') }}
    where area = 'resource' and kind = 'measurable'

),

stage_spine as (

    select distinct year, county_code, stage
    from {{ ref('int_school_stage_units') }}

),

spine as (

    select stage_spine.*, indicators.indicator
    from stage_spine
    cross join indicators

),

limits as (

    select
        year,
        county_code,
        scope as stage,
        max(value) filter (where parameter = 'cv_limit')          as cv_limit,
        max(value) filter (where parameter = 'cv_limit_basic')    as cv_limit_basic
    from {{ ref('int_standards_resolved') }}
    where indicator = 'CV'
    group by year, county_code, scope

),

std as (

    {{ pivot_standards([
        ('CV', 'all', 'borderline_tolerance', 'borderline_tolerance'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

evaluated as (

    select year, county_code, stage, indicator, school_id, students, value
    from values_
    where evaluated and value is not null

),

stats as (

    -- n_units, students, means, sds and both CVs per county, stage and indicator
    -- (macros/cv_statistics.sql, shared with int_county_cv_after_remediation)
    {{ cv_statistics('evaluated') }}

),

units_total as (

    select
        year, county_code, stage, indicator,
        count(*)                                  as units_total,
        count(*) filter (where evaluated)         as units_evaluated,
        -- a no_data unit is evaluated but never counts as meeting the standard
        count(*) filter (where evaluated and status = 'met') as units_met
    from values_
    group by year, county_code, stage, indicator

),

computed as (

    select
        spine.year,
        spine.county_code,
        spine.stage,
        spine.indicator,
        coalesce(units_total.units_total, 0)          as units_total,
        coalesce(units_total.units_evaluated, 0)      as units_evaluated,
        coalesce(units_total.units_met, 0)            as units_met,
        coalesce(stats.n_units, 0)                    as n_units,
        coalesce(stats.students, 0)::bigint           as students,
        stats.weighted_mean,
        stats.unweighted_mean,
        stats.weighted_sd,
        stats.unweighted_sd,
        stats.cv,
        stats.cv_unweighted,
        limits.cv_limit,
        limits.cv_limit_basic,
        std.borderline_tolerance,
        std.tolerance

    from spine
    left join stats
        on spine.year = stats.year
        and spine.county_code = stats.county_code
        and spine.stage = stats.stage
        and spine.indicator = stats.indicator
    left join units_total
        on spine.year = units_total.year
        and spine.county_code = units_total.county_code
        and spine.stage = units_total.stage
        and spine.indicator = units_total.indicator
    left join limits
        on spine.year = limits.year
        and spine.county_code = limits.county_code
        and spine.stage = limits.stage
    left join std
        on spine.year = std.year
        and spine.county_code = std.county_code

)

select
    year,
    county_code,
    stage,
    indicator,
    units_total,
    units_evaluated,
    units_met,
    units_met / nullif(units_evaluated, 0)                         as units_met_share,
    n_units,
    students,
    weighted_mean,
    unweighted_mean,
    cv,
    cv_unweighted,
    cv_limit,
    {{ status_at_most('cv', 'cv_limit', 'tolerance') }}              as status,
    cv_limit_basic,
    {{ status_at_most('cv', 'cv_limit_basic', 'tolerance') }}        as status_basic,
    nullif(concat_ws('; ',
        case
            when n_units = 0 and units_evaluated = 0
                then 'no_data: no evaluated unit in this stage'
            when n_units = 0
                then 'no_data: no evaluated unit has a value for this indicator'
            when weighted_mean = 0
                then 'no_data: the weighted mean is 0'
        end,
        case when n_units = 1 then 'single evaluated unit: CV is 0 by rule' end,
        case
            when cv is not null and abs(cv - cv_limit) < borderline_tolerance
                then 'borderline: CV ' || printf('%.6f', cv) || ' is within '
                     || printf('%g', borderline_tolerance) || ' of the limit '
                     || printf('%g', cv_limit)
                     || ' (the rounded and the exact value may disagree)'
        end
    ), '')                                                          as detail

from computed
