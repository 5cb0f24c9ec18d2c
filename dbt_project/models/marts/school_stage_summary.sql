select
    year,
    school_id,
    stage,
    county_code,
    school_type,
    students,
    teachers,
    evaluated,
    excluded_reason,
    met_count,
    not_met_count,
    no_data_count,
    min_ratio,
    passes,
    pass_status,
    not_met_indicators,
    no_data_indicators

from {{ ref('int_school_stage_summary') }}
