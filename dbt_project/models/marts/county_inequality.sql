select
    year,
    county_code,
    stage,
    indicator,
    n_units,
    students,
    weighted_mean,
    theil,
    theil_between,
    theil_within,
    gini,
    mcloone,
    weighted_median,
    n_area_classes

from {{ ref('int_county_inequality') }}
