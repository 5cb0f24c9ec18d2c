-- Teachers of each unit (teachers of the school whose teaching stage is the
-- unit's stage) and the counts behind R1, R2 and R3.
--
-- A teacher with an unknown education / backbone level / subject does not
-- count towards R1 / R2 / R3; the `*_known` counts say how many were known, so
-- that a unit whose teachers all lack the field (the column was absent from the
-- year's files) gets no_data instead of 0.

with

units as (

    select * from {{ ref('int_school_stage_units') }}

),

teachers as (

    select * from {{ ref('stg_census__teachers') }}

),

education_levels as (

    select * from {{ ref('education_levels') }}

),

backbone_levels as (

    select * from {{ ref('backbone_levels') }}

),

subjects as (

    select * from {{ ref('teacher_subjects') }}

),

min_education as (

    select year, county_code, scope as stage, value as min_education_rank
    from {{ ref('int_standards_resolved') }}
    where indicator = 'R1' and parameter = 'min_education_rank'

),

std as (

    {{ pivot_standards([
        ('R2', 'all', 'min_backbone_rank', 'min_backbone_rank'),
    ]) }}

)

-- count(teachers.school_id) counts the unit's teachers (the join key is never null
-- on a joined row, and teacher_id is tested not null): reading teacher_id, a
-- distinct string per row, would cost a scan of 10.7 M strings at nation size.
select
    units.year,
    units.school_id,
    units.stage,
    count(teachers.school_id)                                   as teachers,
    count(teachers.education)                                    as teachers_education_known,
    count(teachers.school_id) filter (
        where education_levels.rank >= min_education.min_education_rank
    )                                                            as teachers_above_required_degree,
    count(teachers.backbone_level)                               as teachers_backbone_known,
    count(teachers.school_id) filter (
        where backbone_levels.rank >= std.min_backbone_rank
    )                                                            as backbone_teachers,
    count(teachers.subject)                                      as teachers_subject_known,
    count(teachers.school_id) filter (
        where subjects.is_pe_or_art
    )                                                            as pe_art_teachers

from units
left join teachers
    on units.year = teachers.year
    and units.school_id = teachers.school_id
    and units.stage = teachers.stage
left join education_levels
    on teachers.education = education_levels.education
left join backbone_levels
    on teachers.backbone_level = backbone_levels.backbone_level
left join subjects
    on teachers.subject = subjects.subject
left join min_education
    on units.year = min_education.year
    and units.county_code = min_education.county_code
    and units.stage = min_education.stage
left join std
    on units.year = std.year
    and units.county_code = std.county_code
group by units.year, units.school_id, units.stage
