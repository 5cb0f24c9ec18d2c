-- Teachers of every school per compulsory teaching stage, counted in one pass over
-- the teachers (10.7 million rows at nation size) for both of their readers:
--   * int_school_stage_teachers (R1, R2, R3 per unit): teachers, the `*_known`
--     counts and the teachers counted by R1 (education at or above the stage's
--     required degree, standards R1 / <stage> / min_education_rank), R2 (backbone
--     level at or above standards R2 / all / min_backbone_rank) and R3 (PE, music
--     and art teachers);
--   * int_county_school_indicators (G9, G11, G12 per county, summed over the
--     county's schools): teachers meeting G9's training hours (standards G9 / all /
--     min_training_hours) or with hours unknown, with a certificate (G12) or
--     unknown, eligible for rotation, eligible with the rotation flag known,
--     rotated (eligible and rotated) and rotated backbone teachers.
-- Teachers of a stage outside the compulsory ones (senior) or of a school unknown
-- in the year are not counted, as in both readers. A school and stage without any
-- teacher has no row (its readers count 0).
--
-- count(*) counts the teachers: reading teacher_id, a distinct string per row,
-- would cost a scan of 10.7 M strings at nation size; the school's thresholds are
-- joined to its 2 stages (400,000 rows) before the teachers are, not after.

with

teachers as (

    select * from {{ ref('stg_census__teachers') }}

),

schools as (

    select year, school_id, county_code from {{ ref('int_schools') }}

),

stages as (

    select stage from {{ ref('stages') }} where is_compulsory

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
        ('G9', 'all', 'min_training_hours', 'g9_min_training_hours'),
    ]) }}

),

school_stages as (

    select
        schools.year,
        schools.school_id,
        stages.stage,
        min_education.min_education_rank,
        std.min_backbone_rank,
        std.g9_min_training_hours
    from schools
    cross join stages
    left join min_education
        on schools.year = min_education.year
        and schools.county_code = min_education.county_code
        and stages.stage = min_education.stage
    left join std
        on schools.year = std.year
        and schools.county_code = std.county_code

)

select
    teachers.year,
    teachers.school_id,
    teachers.stage,
    count(*)                                                                  as teachers,
    count(teachers.education)                                                 as teachers_education_known,
    count(*) filter (
        where education_levels.rank >= school_stages.min_education_rank
    )                                                                         as teachers_above_required_degree,
    count(teachers.backbone_level)                                            as teachers_backbone_known,
    count(*) filter (
        where backbone_levels.rank >= school_stages.min_backbone_rank
    )                                                                         as backbone_teachers,
    count(teachers.subject)                                                   as teachers_subject_known,
    count(*) filter (where subjects.is_pe_or_art)                             as pe_art_teachers,
    count(*) filter (
        where teachers.training_hours_5y >= school_stages.g9_min_training_hours
    )                                                                         as training_hours_met,
    count(*) filter (where teachers.training_hours_5y is null)                as training_hours_unknown,
    count(*) filter (where teachers.has_certificate)                          as certified,
    count(*) filter (where teachers.has_certificate is null)                  as certificate_unknown,
    count(*) filter (where teachers.rotation_eligible)                        as rotation_eligible,
    count(*) filter (
        where teachers.rotation_eligible and teachers.rotated is not null
    )                                                                         as rotation_eligible_known,
    count(*) filter (where teachers.rotation_eligible and teachers.rotated)   as rotated,
    count(*) filter (
        where teachers.rotation_eligible and teachers.rotated
          and backbone_levels.rank >= school_stages.min_backbone_rank
    )                                                                         as rotated_backbone

from teachers
inner join school_stages
    on teachers.year = school_stages.year
    and teachers.school_id = school_stages.school_id
    and teachers.stage = school_stages.stage
left join education_levels
    on teachers.education = education_levels.education
left join backbone_levels
    on teachers.backbone_level = backbone_levels.backbone_level
left join subjects
    on teachers.subject = subjects.subject
group by teachers.year, teachers.school_id, teachers.stage
