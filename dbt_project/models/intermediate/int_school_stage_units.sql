-- The unit of the assessment: a school's compulsory stage part (学校学段).
--
-- A school has a unit for each compulsory stage its type teaches (school_types
-- seed); a special-education school has one for each compulsory stage in which
-- it has classes. Every unit is listed; `excluded_reason` is the first that
-- applies of special_education, teaching_point_under_50, no_students, and a
-- unit is evaluated when there is none.

with

schools as (

    select * from {{ ref('int_schools') }}

),

stages as (

    select stage from {{ ref('stages') }} where is_compulsory

),

students as (

    select * from {{ ref('int_school_stage_students') }}

),

std as (

    {{ pivot_standards([
        ('UNIT', 'all', 'teaching_point_min_students', 'teaching_point_min_students'),
    ]) }}

),

units as (

    select
        schools.year,
        schools.school_id,
        stages.stage,
        schools.county_code,
        schools.school_type,
        schools.is_special,
        schools.is_teaching_point,
        coalesce(students.students, 0)                 as students,
        coalesce(students.classes, 0)                  as classes,
        students.largest_class

    from schools
    cross join stages
    left join students
        on schools.year = students.year
        and schools.school_id = students.school_id
        and stages.stage = students.stage
    where
        (stages.stage = 'primary' and schools.has_primary_unit)
        or (stages.stage = 'junior' and schools.has_junior_unit)
        or (schools.units_from_classes and coalesce(students.classes, 0) > 0)

),

classified as (

    select
        units.*,
        case
            when units.is_special then 'special_education'
            when units.is_teaching_point
                and units.students < std.teaching_point_min_students
                then 'teaching_point_under_50'
            when units.students = 0 then 'no_students'
        end as excluded_reason

    from units
    left join std
        on units.year = std.year
        and units.county_code = std.county_code

)

select
    year,
    school_id,
    stage,
    county_code,
    school_type,
    students,
    classes,
    largest_class,
    excluded_reason is null    as evaluated,
    excluded_reason

from classified
