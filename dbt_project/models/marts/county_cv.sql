select
    year,
    county_code,
    stage,
    indicator,
    n_units,
    students,
    weighted_mean,
    cv,
    cv_unweighted,
    unweighted_mean,
    cv_limit,
    status,
    detail,
    cv_limit_basic,
    status_basic,
    units_total,
    units_evaluated,
    units_met,
    units_met_share

from {{ ref('int_county_cv') }}
