-- What: county_summary's units, evaluated_units, passing_units, cv_checks,
--   cv_within_limits and oversize_classes equal the counts of the rows they
--   summarise (school_stage_summary, county_cv, class_size_violations).
-- When it matters: a summary that disagrees with its detail tables cannot be
--   signed by an inspector.
-- How to fix: recount the failing county's rows per year in the detail tables.

with

run_years as (

    select distinct year from {{ ref('int_schools') }}

),

units as (

    select
        year, county_code,
        count(*)                                      as units,
        count(*) filter (where evaluated)             as evaluated_units,
        count(*) filter (where evaluated and passes)  as passing_units
    from {{ ref('school_stage_summary') }}
    group by year, county_code

),

cv as (

    select
        year, county_code,
        count(*)                                      as cv_checks,
        count(*) filter (where status = 'met')        as cv_within_limits
    from {{ ref('county_cv') }}
    group by year, county_code

),

classes as (

    select year, county_code, count(*) as oversize_classes
    from {{ ref('class_size_violations') }}
    group by year, county_code

)

select s.year, s.county_code
from {{ ref('county_summary') }} as s
left join units on s.year = units.year and s.county_code = units.county_code
left join cv on s.year = cv.year and s.county_code = cv.county_code
left join classes on s.year = classes.year and s.county_code = classes.county_code
where s.year in (select year from run_years)
  and (
       s.units <> coalesce(units.units, 0)
    or s.evaluated_units <> coalesce(units.evaluated_units, 0)
    or s.passing_units <> coalesce(units.passing_units, 0)
    or s.cv_checks <> coalesce(cv.cv_checks, 0)
    or s.cv_within_limits <> coalesce(cv.cv_within_limits, 0)
    or s.oversize_classes <> coalesce(classes.oversize_classes, 0)
  )
