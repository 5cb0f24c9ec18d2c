-- School size (G4 and the 消除大校额 campaign). Every school with a size-limit
-- class in the school_types seed (all but special-education schools) and at
-- least one unit: its compulsory students (the students of its units, so the
-- junior part only for a complete secondary school 341, primary + junior for
-- nine- and twelve-year schools) against standards G4 / <scope> / size_limit
-- (2000 single_stage: 211, 218, 311, 341; 2500 multi_stage: 312, 345).
-- excess = compulsory students − limit; a school exactly at its limit is within it.

with

schools as (

    select * from {{ ref('int_schools') }}
    where size_limit_scope is not null

),

units as (

    select
        year,
        school_id,
        sum(students)::bigint    as compulsory_students,
        count(*)                 as units
    from {{ ref('int_school_stage_units') }}
    group by year, school_id

),

limits as (

    select year, county_code, scope as size_limit_scope, value as size_limit
    from {{ ref('int_standards_resolved') }}
    where indicator = 'G4' and parameter = 'size_limit'

)

select
    schools.year,
    schools.school_id,
    schools.county_code,
    schools.school_type,
    schools.size_limit_scope,
    units.compulsory_students,
    limits.size_limit::bigint                                      as size_limit,
    units.compulsory_students - limits.size_limit::bigint          as excess,
    units.compulsory_students > limits.size_limit                  as over_limit

from schools
inner join units
    on schools.year = units.year
    and schools.school_id = units.school_id
left join limits
    on schools.year = limits.year
    and schools.county_code = limits.county_code
    and schools.size_limit_scope = limits.size_limit_scope
