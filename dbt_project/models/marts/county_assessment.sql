select
    year,
    county_code,
    indicator,
    stage,
    area,
    indicator_name_zh,
    value,
    standard,
    comparison,
    status,
    detail,
    second_value,
    second_standard,
    second_comparison,
    numerator,
    denominator,
    sort_order

from {{ ref('int_county_assessment') }}
