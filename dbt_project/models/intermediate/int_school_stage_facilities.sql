-- Facilities of every school stage (senior included), from the school's own row
-- for that stage or from its share of the school's `all` row.
--
-- The `all` row is shared by all the school's stages, senior included, and is
-- split by weighted students (standards FACILITY_SPLIT / <stage> /
-- student_weight: 1.0 primary, 1.1 junior, 1.32 senior):
--     share(stage) = weight(stage) × students(stage) / Σ weight × students.
-- Areas, equipment value and multimedia rooms are split alike (fractional rooms
-- are kept). The split_* columns hold every stage's share of the `all` row, so
-- that they add up to the row over the school's stages. Weights and weighted
-- students are exact decimals, so a school's total is the same sum whatever the
-- order its stages are added in (re-runs give the same shares to the last bit).
--
-- Choice (the contract expects a school to give either an `all` row or stage
-- rows): when a school gives both, a stage's own row wins and that stage's
-- share of the `all` row is not used; stages without an own row use their
-- share. A school with an `all` row but no students has no shares (null).

with

facilities as (

    select * from {{ ref('stg_census__facilities') }}

),

students as (

    select * from {{ ref('int_school_stage_students') }}

),

units as (

    select * from {{ ref('int_school_stage_units') }}

),

schools as (

    select year, school_id, county_code from {{ ref('int_schools') }}

),

weights as (

    select year, county_code, scope as stage, value::decimal(18, 6) as student_weight
    from {{ ref('int_standards_resolved') }}
    where indicator = 'FACILITY_SPLIT' and parameter = 'student_weight'

),

stage_spine as (

    select year, school_id, stage from students
    union
    select year, school_id, stage from units
    union
    select year, school_id, stage from facilities where stage <> 'all'

),

weighted as (

    select
        stage_spine.year,
        stage_spine.school_id,
        stage_spine.stage,
        schools.county_code,
        coalesce(students.students, 0)                             as students,
        weights.student_weight,
        weights.student_weight * coalesce(students.students, 0)    as weighted_students

    from stage_spine
    inner join schools
        on stage_spine.year = schools.year
        and stage_spine.school_id = schools.school_id
    left join students
        on stage_spine.year = students.year
        and stage_spine.school_id = students.school_id
        and stage_spine.stage = students.stage
    left join weights
        on stage_spine.year = weights.year
        and schools.county_code = weights.county_code
        and stage_spine.stage = weights.stage

),

shares as (

    select
        *,
        sum(weighted_students) over (partition by year, school_id)   as school_weighted_students,
        weighted_students
            / nullif(sum(weighted_students) over (partition by year, school_id), 0)
                                                                      as all_row_share
    from weighted

),

joined as (

    select
        shares.*,
        own.school_id is not null          as has_own_row,
        all_row.school_id is not null      as has_all_row,
        own.teaching_aux_area_m2           as own_teaching_aux_area_m2,
        own.sports_area_m2                 as own_sports_area_m2,
        own.equipment_value_yuan           as own_equipment_value_yuan,
        own.multimedia_classrooms          as own_multimedia_classrooms,
        all_row.teaching_aux_area_m2 * shares.all_row_share     as split_teaching_aux_area_m2,
        all_row.sports_area_m2 * shares.all_row_share           as split_sports_area_m2,
        all_row.equipment_value_yuan * shares.all_row_share     as split_equipment_value_yuan,
        all_row.multimedia_classrooms * shares.all_row_share    as split_multimedia_classrooms

    from shares
    left join facilities as own
        on shares.year = own.year
        and shares.school_id = own.school_id
        and shares.stage = own.stage
    left join facilities as all_row
        on shares.year = all_row.year
        and shares.school_id = all_row.school_id
        and all_row.stage = 'all'

)

select
    year,
    school_id,
    stage,
    county_code,
    students,
    student_weight,
    weighted_students,
    school_weighted_students,
    all_row_share,
    has_own_row,
    has_all_row,
    case
        when has_own_row then 'own_row'
        when has_all_row and all_row_share is not null then 'split_all'
    end as facilities_source,
    split_teaching_aux_area_m2,
    split_sports_area_m2,
    split_equipment_value_yuan,
    split_multimedia_classrooms,
    case when has_own_row then own_teaching_aux_area_m2 else split_teaching_aux_area_m2 end
        as teaching_aux_area_m2,
    case when has_own_row then own_sports_area_m2 else split_sports_area_m2 end
        as sports_area_m2,
    case when has_own_row then own_equipment_value_yuan else split_equipment_value_yuan end
        as equipment_value_yuan,
    case when has_own_row then own_multimedia_classrooms else split_multimedia_classrooms end
        as multimedia_classrooms

from joined
