select
    year,
    school_id,
    class_id,
    county_code,
    school_type,
    stage,
    grade,
    students,
    standard,
    category,
    excess

from {{ ref('int_classes_classified') }}
where category <> 'within_standard'
