-- The counties held back in a year's latest load (audit.blocked_counties), one
-- row per county and year. A held-back county keeps the rows of its last good
-- load, so its figures are computed from those as before; data_as_of says when
-- they were loaded, null when it keeps none (it had no good load: no school of
-- it is in the year, and it appears in county_summary only). A county held back
-- for several reasons (a refused file and a failed gate) has them all, in one
-- text per language, and the earliest date of the data it keeps; a row
-- without a reason says that none was recorded.

select
    year,
    county_code,
    coalesce(string_agg(distinct reason, '; ' order by reason), 'held back (no reason recorded)')
                                                                 as blocked_reason,
    coalesce(string_agg(distinct reason_zh, '；' order by reason_zh), '暂缓发布（未记录原因）')
                                                                 as blocked_reason_zh,
    min(data_as_of)                                              as data_as_of,
    max(blocked_at)                                              as blocked_at

from {{ ref('stg_audit__blocked_counties') }}
group by year, county_code
