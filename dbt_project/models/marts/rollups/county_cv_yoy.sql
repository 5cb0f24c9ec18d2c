-- Year-over-year change of each county's CVs: this year minus last year
-- (the census year immediately before; null when that year is not in the
-- warehouse or the county / stage / indicator has no row then).

select
    cur.year,
    cur.county_code,
    cur.stage,
    cur.indicator,
    cur.year - 1                                  as previous_year,
    cur.cv,
    prev.cv                                       as previous_cv,
    cur.cv - prev.cv                              as cv_change,
    cur.cv_unweighted,
    prev.cv_unweighted                            as previous_cv_unweighted,
    cur.cv_unweighted - prev.cv_unweighted        as cv_unweighted_change,
    cur.weighted_mean,
    prev.weighted_mean                            as previous_weighted_mean,
    cur.weighted_mean - prev.weighted_mean        as weighted_mean_change,
    cur.n_units,
    prev.n_units                                  as previous_n_units,
    cur.cv_limit,
    cur.status,
    prev.status                                   as previous_status,
    prev.county_code is not null                  as has_previous_year

from {{ ref('county_cv') }} as cur
left join {{ ref('county_cv') }} as prev
    on prev.year = cur.year - 1
    and prev.county_code = cur.county_code
    and prev.stage = cur.stage
    and prev.indicator = cur.indicator
