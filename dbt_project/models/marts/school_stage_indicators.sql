select
    year,
    school_id,
    stage,
    indicator,
    county_code,
    indicator_name_zh,
    students,
    numerator,
    value,
    standard,
    ratio,
    status,
    evaluated,
    excluded_reason,
    facilities_source,
    no_data_reason

from {{ ref('int_school_stage_indicator_values') }}
