-- What: the shares of a school's `all` facilities row over its stages (senior
--   included) add up to the row, for each of the four figures.
-- When it matters: a split that loses or invents area, equipment or rooms
--   biases R4–R7 for every school that does not split its facilities by stage.
-- How to fix: check the weights (standards FACILITY_SPLIT) and the students
--   per stage of the failing school in int_school_stage_facilities.

with

split as (

    select
        year,
        school_id,
        sum(split_teaching_aux_area_m2)     as teaching_aux_area_m2,
        sum(split_sports_area_m2)           as sports_area_m2,
        sum(split_equipment_value_yuan)     as equipment_value_yuan,
        sum(split_multimedia_classrooms)    as multimedia_classrooms
    from {{ ref('int_school_stage_facilities') }}
    where has_all_row and school_weighted_students > 0
    group by year, school_id

),

all_rows as (

    select * from {{ ref('stg_census__facilities') }} where stage = 'all'

)

select
    split.*,
    all_rows.teaching_aux_area_m2     as row_teaching_aux_area_m2,
    all_rows.sports_area_m2           as row_sports_area_m2,
    all_rows.equipment_value_yuan     as row_equipment_value_yuan,
    all_rows.multimedia_classrooms    as row_multimedia_classrooms
from split
inner join all_rows
    on split.year = all_rows.year and split.school_id = all_rows.school_id
where abs(coalesce(split.teaching_aux_area_m2, 0) - coalesce(all_rows.teaching_aux_area_m2, 0))
        > 1e-9 * greatest(1, abs(coalesce(all_rows.teaching_aux_area_m2, 0)))
   or abs(coalesce(split.sports_area_m2, 0) - coalesce(all_rows.sports_area_m2, 0))
        > 1e-9 * greatest(1, abs(coalesce(all_rows.sports_area_m2, 0)))
   or abs(coalesce(split.equipment_value_yuan, 0) - coalesce(all_rows.equipment_value_yuan, 0))
        > 1e-9 * greatest(1, abs(coalesce(all_rows.equipment_value_yuan, 0)))
   or abs(coalesce(split.multimedia_classrooms, 0) - coalesce(all_rows.multimedia_classrooms, 0))
        > 1e-9 * greatest(1, abs(coalesce(all_rows.multimedia_classrooms, 0)))
