-- County rows of the resource area (资源配置):
--   * one row per stage and indicator R1–R7: value = the student-weighted CV,
--     standard = the CV limit, comparison '<=', status and detail of county_cv,
--     second_value = the student-weighted mean of the indicator over the
--     evaluated units;
--   * one overall row, indicator 'R': value = passing evaluated units /
--     evaluated units, standard = RESOURCE / min_passing_unit_share (100 %),
--     second_value = CVs within limits / CV rows. Status (indicators.md): not_met
--     if any evaluated unit fails or any CV is not_met; else no_data if any CV
--     is no_data; else met. An evaluated unit that does not pass only for lack
--     of data (pass_status no_data) makes the result no_data rather than
--     not_met, since the verdict then rests on missing data.

with

counties as (

    select year, county_code from {{ ref('int_counties') }}

),

cv as (

    select * from {{ ref('int_county_cv') }}

),

units as (

    select * from {{ ref('int_school_stage_summary') }}

),

std as (

    {{ pivot_standards([
        ('RESOURCE', 'all', 'min_passing_unit_share', 'min_passing_unit_share'),
    ]) }}

),

cv_rows as (

    select
        year,
        county_code,
        indicator,
        stage,
        null::double             as numerator,
        null::double             as denominator,
        cv                       as value,
        cv_limit                 as standard,
        '<='                     as comparison,
        weighted_mean            as second_value,
        null::double             as second_standard,
        null::varchar            as second_comparison,
        status,
        concat_ws('; ',
            'CV over ' || n_units || ' evaluated units, ' || students || ' students',
            detail
        )                        as detail
    from cv

),

unit_counts as (

    select
        year,
        county_code,
        count(*) filter (where evaluated)                                  as evaluated_units,
        count(*) filter (where evaluated and passes)                       as passing_units,
        count(*) filter (where evaluated and pass_status = 'not_met')      as failing_units,
        count(*) filter (where evaluated and pass_status = 'no_data')      as no_data_units
    from units
    group by year, county_code

),

cv_counts as (

    select
        year,
        county_code,
        count(*)                                        as cv_checks,
        count(*) filter (where status = 'met')          as cv_met,
        count(*) filter (where status = 'not_met')      as cv_not_met,
        count(*) filter (where status = 'no_data')      as cv_no_data
    from cv
    group by year, county_code

),

overall as (

    select
        counties.year,
        counties.county_code,
        'R'                                                          as indicator,
        null::varchar                                                as stage,
        coalesce(unit_counts.passing_units, 0)::double               as numerator,
        coalesce(unit_counts.evaluated_units, 0)::double             as denominator,
        {{ safe_divide('unit_counts.passing_units', 'unit_counts.evaluated_units') }}
                                                                     as value,
        std.min_passing_unit_share                                   as standard,
        '>='                                                         as comparison,
        {{ safe_divide('cv_counts.cv_met', 'cv_counts.cv_checks') }} as second_value,
        null::double                                                 as second_standard,
        null::varchar                                                as second_comparison,
        case
            when coalesce(unit_counts.failing_units, 0) > 0
                or coalesce(cv_counts.cv_not_met, 0) > 0 then 'not_met'
            when coalesce(cv_counts.cv_checks, 0) = 0
                or cv_counts.cv_no_data > 0
                or coalesce(unit_counts.no_data_units, 0) > 0 then 'no_data'
            else 'met'
        end                                                          as status,
        coalesce(unit_counts.passing_units, 0) || ' of '
            || coalesce(unit_counts.evaluated_units, 0) || ' evaluated units pass ('
            || coalesce(unit_counts.failing_units, 0) || ' fail, '
            || coalesce(unit_counts.no_data_units, 0) || ' lack data); '
            || coalesce(cv_counts.cv_met, 0) || ' of ' || coalesce(cv_counts.cv_checks, 0)
            || ' CVs within limits (' || coalesce(cv_counts.cv_not_met, 0) || ' over, '
            || coalesce(cv_counts.cv_no_data, 0) || ' no data)'          as detail
    from counties
    left join unit_counts
        on counties.year = unit_counts.year
        and counties.county_code = unit_counts.county_code
    left join cv_counts
        on counties.year = cv_counts.year
        and counties.county_code = cv_counts.county_code
    left join std
        on counties.year = std.year
        and counties.county_code = std.county_code

)

select * from cv_rows
union all
select * from overall
