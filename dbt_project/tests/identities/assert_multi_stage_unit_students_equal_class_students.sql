-- What: for every nine-year (312) and twelve-year (345) school, the students of
--   its primary and junior units (school_stage_summary) add up to the students
--   of its primary and junior classes.
-- When it matters: a unit that loses or double-counts classes changes every
--   per-student indicator and the school-size check.
-- How to fix: compare the failing school's classes (stg_census__classes) with
--   its units (int_school_stage_units); look for a stage code outside the
--   compulsory stages or a join that fans out.

with

run_years as (

    select distinct year from {{ ref('int_schools') }}

),

schools as (

    select year, school_id
    from {{ ref('int_schools') }}
    where has_primary_unit and has_junior_unit

),

units as (

    select year, school_id, sum(students) as unit_students
    from {{ ref('school_stage_summary') }}
    where year in (select year from run_years)
    group by year, school_id

),

classes as (

    select c.year, c.school_id, sum(c.students) as class_students
    from {{ ref('stg_census__classes') }} as c
    inner join {{ ref('stages') }} as s
        on c.stage = s.stage and s.is_compulsory
    group by c.year, c.school_id

)

select
    schools.year,
    schools.school_id,
    units.unit_students,
    classes.class_students
from schools
left join units
    on schools.year = units.year and schools.school_id = units.school_id
left join classes
    on schools.year = classes.year and schools.school_id = classes.school_id
where coalesce(units.unit_students, 0) <> coalesce(classes.class_students, 0)
