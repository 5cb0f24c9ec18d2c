select
    year,
    school_id,
    county_code,
    school_type,
    compulsory_students,
    size_limit,
    excess

from {{ ref('int_schools_size_classified') }}
where over_limit
