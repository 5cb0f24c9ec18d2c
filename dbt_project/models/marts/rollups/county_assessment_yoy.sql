-- Year-over-year change of each county indicator row: this year minus last
-- year (null when last year has no row or no value).

select
    cur.year,
    cur.county_code,
    cur.indicator,
    cur.stage,
    cur.area,
    cur.year - 1                                  as previous_year,
    cur.value,
    prev.value                                    as previous_value,
    cur.value - prev.value                        as value_change,
    cur.second_value,
    prev.second_value                             as previous_second_value,
    cur.second_value - prev.second_value          as second_value_change,
    cur.standard,
    cur.status,
    prev.status                                   as previous_status,
    cur.status is distinct from prev.status       as status_changed,
    prev.county_code is not null                  as has_previous_year

from {{ ref('county_assessment') }} as cur
left join {{ ref('county_assessment') }} as prev
    on prev.year = cur.year - 1
    and prev.county_code = cur.county_code
    and prev.indicator = cur.indicator
    and prev.stage is not distinct from cur.stage
