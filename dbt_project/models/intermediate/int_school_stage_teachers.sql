-- Teachers of each unit (teachers of the school whose teaching stage is the
-- unit's stage) and the counts behind R1, R2 and R3.
--
-- A teacher with an unknown education / backbone level / subject does not
-- count towards R1 / R2 / R3; the `*_known` counts say how many were known, so
-- that a unit whose teachers all lack the field (the column was absent from the
-- year's files) gets no_data instead of 0.
--
-- The teachers are counted per school and stage in int_school_stage_teacher_counts
-- (one pass over the teachers, shared with the county's G9, G11 and G12); a unit
-- without teachers has 0 of each.

with

units as (

    select year, school_id, stage from {{ ref('int_school_stage_units') }}

),

counts as (

    select * from {{ ref('int_school_stage_teacher_counts') }}

)

select
    units.year,
    units.school_id,
    units.stage,
    coalesce(counts.teachers, 0)                          as teachers,
    coalesce(counts.teachers_education_known, 0)          as teachers_education_known,
    coalesce(counts.teachers_above_required_degree, 0)    as teachers_above_required_degree,
    coalesce(counts.teachers_backbone_known, 0)           as teachers_backbone_known,
    coalesce(counts.backbone_teachers, 0)                 as backbone_teachers,
    coalesce(counts.teachers_subject_known, 0)            as teachers_subject_known,
    coalesce(counts.pe_art_teachers, 0)                   as pe_art_teachers

from units
left join counts
    on units.year = counts.year
    and units.school_id = counts.school_id
    and units.stage = counts.stage
