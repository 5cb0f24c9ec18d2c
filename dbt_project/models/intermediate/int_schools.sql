-- Schools with the attributes of their school type and urban/rural code.

with

schools as (

    select * from {{ ref('stg_census__schools') }}

),

school_types as (

    select * from {{ ref('school_types') }}

),

urban_rural as (

    select * from {{ ref('urban_rural_codes') }}

)

select
    schools.year,
    schools.school_id,
    schools.school_name,
    schools.county_code,
    schools.county_name,
    left(schools.county_code, 4) || '00'     as city_code,
    left(schools.county_code, 2) || '0000'   as province_code,
    schools.school_type,
    school_types.category                   as school_type_category,
    school_types.name_zh                    as school_type_name_zh,
    schools.urban_rural,
    urban_rural.area_class,
    schools.ownership,
    schools.built_year,
    coalesce(school_types.is_special, false)           as is_special,
    coalesce(school_types.is_teaching_point, false)    as is_teaching_point,
    coalesce(school_types.has_primary_unit, false)     as has_primary_unit,
    coalesce(school_types.has_junior_unit, false)      as has_junior_unit,
    coalesce(school_types.units_from_classes, false)   as units_from_classes,
    school_types.size_limit_scope

from schools
left join school_types
    on schools.school_type = school_types.school_type
left join urban_rural
    on schools.urban_rural = urban_rural.urban_rural
