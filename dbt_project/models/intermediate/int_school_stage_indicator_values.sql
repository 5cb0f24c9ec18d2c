-- R1–R7 for every unit (evaluated or not): value, standard, ratio, status.
--
--   R1 = 100 × teachers with education ≥ the stage's required degree / students
--   R2 = 100 × teachers with backbone level county or higher / students
--   R3 = 100 × PE, music and art teachers / students
--   R4 = teaching and auxiliary floor area (m²) / students
--   R5 = sports ground area (m²) / students
--   R6 = teaching equipment value (yuan) / students
--   R7 = 100 × networked multimedia classrooms / students
-- (the factor 100 is `scale` in the indicators seed; standards per stage from
-- the standards seed).
--
-- The value is null and the status no_data when the unit has 0 students, when
-- (R4–R7) no facilities row covers the unit or the figure is missing, and
-- (R1–R3) when the unit has teachers but none of them has the field filled (the
-- column was absent from the year's files). met when value ≥ standard.

with

units as (

    select * from {{ ref('int_school_stage_units') }}

),

teachers as (

    select * from {{ ref('int_school_stage_teachers') }}

),

facilities as (

    select * from {{ ref('int_school_stage_facilities') }}

),

indicators as (

    select * from {{ ref('indicators') }}
    where area = 'resource' and kind = 'measurable'

),

standards as (

    select year, county_code, indicator, scope as stage, value as standard
    from {{ ref('int_standards_resolved') }}
    where parameter = 'standard'

),

std as (

    {{ pivot_standards([
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

base as (

    select
        units.*,
        coalesce(teachers.teachers, 0)                          as teachers,
        teachers.teachers_education_known,
        teachers.teachers_above_required_degree,
        teachers.teachers_backbone_known,
        teachers.backbone_teachers,
        teachers.teachers_subject_known,
        teachers.pe_art_teachers,
        facilities.facilities_source,
        facilities.teaching_aux_area_m2,
        facilities.sports_area_m2,
        facilities.equipment_value_yuan,
        facilities.multimedia_classrooms

    from units
    left join teachers
        on units.year = teachers.year
        and units.school_id = teachers.school_id
        and units.stage = teachers.stage
    left join facilities
        on units.year = facilities.year
        and units.school_id = facilities.school_id
        and units.stage = facilities.stage

),

numerators as (

    select *, 'R1' as indicator, teachers_above_required_degree::double as numerator,
        (teachers > 0 and teachers_education_known = 0) as input_missing
    from base
    union all
    select *, 'R2', backbone_teachers::double,
        (teachers > 0 and teachers_backbone_known = 0)
    from base
    union all
    select *, 'R3', pe_art_teachers::double,
        (teachers > 0 and teachers_subject_known = 0)
    from base
    union all
    select *, 'R4', teaching_aux_area_m2,
        (facilities_source is null or teaching_aux_area_m2 is null)
    from base
    union all
    select *, 'R5', sports_area_m2,
        (facilities_source is null or sports_area_m2 is null)
    from base
    union all
    select *, 'R6', equipment_value_yuan,
        (facilities_source is null or equipment_value_yuan is null)
    from base
    union all
    select *, 'R7', multimedia_classrooms,
        (facilities_source is null or multimedia_classrooms is null)
    from base

),

valued as (

    select
        numerators.year,
        numerators.school_id,
        numerators.stage,
        numerators.indicator,
        numerators.county_code,
        numerators.school_type,
        numerators.students,
        numerators.teachers,
        numerators.evaluated,
        numerators.excluded_reason,
        numerators.facilities_source,
        case when not numerators.input_missing then numerators.numerator end    as numerator,
        case
            when numerators.students > 0 and not numerators.input_missing
                then indicators.scale * numerators.numerator / numerators.students
        end                                                                    as value,
        standards.standard,
        std.tolerance,
        indicators.name_zh                                                     as indicator_name_zh,
        indicators.unit,
        case
            when numerators.students = 0 then 'no students'
            when numerators.input_missing and numerators.indicator in ('R1', 'R2', 'R3')
                then 'no teacher of the unit has this field'
            when numerators.input_missing and numerators.facilities_source is null
                then 'no facilities row covers the unit'
            when numerators.input_missing then 'facility figure missing'
        end                                                                    as no_data_reason

    from numerators
    inner join indicators
        on numerators.indicator = indicators.indicator
    left join standards
        on numerators.year = standards.year
        and numerators.county_code = standards.county_code
        and numerators.indicator = standards.indicator
        and numerators.stage = standards.stage
    left join std
        on numerators.year = std.year
        and numerators.county_code = std.county_code

)

select
    year,
    school_id,
    stage,
    indicator,
    county_code,
    school_type,
    students,
    teachers,
    evaluated,
    excluded_reason,
    facilities_source,
    indicator_name_zh,
    unit,
    numerator,
    value,
    standard,
    value / nullif(standard, 0)                                as ratio,
    {{ status_at_least('value', 'standard', 'tolerance') }}   as status,
    no_data_reason

from valued
