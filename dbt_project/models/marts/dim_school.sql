select
    year,
    school_id,
    school_name,
    county_code,
    county_name,
    city_code,
    province_code,
    school_type,
    school_type_category,
    school_type_name_zh,
    urban_rural,
    area_class,
    ownership,
    built_year,
    is_special,
    is_teaching_point

from {{ ref('int_schools') }}
