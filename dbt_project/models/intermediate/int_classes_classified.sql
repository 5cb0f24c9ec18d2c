-- Every primary and junior class classed by size (G5 and the 消除大班额
-- campaign). Thresholds from standards G5: max_class_size per stage (45
-- primary, 50 junior), large_class_min (56), super_large_class_min (66):
--   within_standard  students ≤ standard
--   over_standard    standard < students < 56
--   large            56 ≤ students < 66
--   super_large      students ≥ 66
-- A class exactly at a threshold belongs to the category that starts there
-- (a 45-student primary class is within the standard; a 56-student class is large).
-- Classes of special-education schools are classed too (the rule says every
-- primary and junior class).
--
-- A view, not a table: its only readers are class_size_violations (the classes
-- over the standard) and int_county_class_sizes (the county counts); storing the
-- 3.7 million classes of a nation year cost more than classing them twice.

{{ config(materialized='view') }}

with

classes as (

    select * from {{ ref('stg_census__classes') }}

),

schools as (

    select year, school_id, county_code, school_type from {{ ref('int_schools') }}

),

max_size as (

    select year, county_code, scope as stage, value as max_class_size
    from {{ ref('int_standards_resolved') }}
    where indicator = 'G5' and parameter = 'max_class_size'

),

std as (

    {{ pivot_standards([
        ('G5', 'all', 'large_class_min', 'large_class_min'),
        ('G5', 'all', 'super_large_class_min', 'super_large_class_min'),
    ]) }}

)

select
    classes.year,
    classes.school_id,
    classes.class_id,
    schools.county_code,
    schools.school_type,
    classes.stage,
    classes.grade,
    classes.students,
    max_size.max_class_size::bigint                          as standard,
    case
        when classes.students >= std.super_large_class_min then 'super_large'
        when classes.students >= std.large_class_min then 'large'
        when classes.students > max_size.max_class_size then 'over_standard'
        else 'within_standard'
    end                                                      as category,
    classes.students - max_size.max_class_size::bigint       as excess

from classes
inner join schools
    on classes.year = schools.year
    and classes.school_id = schools.school_id
inner join max_size
    on classes.year = max_size.year
    and schools.county_code = max_size.county_code
    and classes.stage = max_size.stage
left join std
    on classes.year = std.year
    and schools.county_code = std.county_code
