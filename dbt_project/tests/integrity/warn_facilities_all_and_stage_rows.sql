{{ config(severity='warn') }}
-- What: schools that give both an `all` facilities row and stage rows.
-- When it matters: the contract expects one or the other. The models then use
--   each stage's own row and the `all` row's share only for stages without one
--   (int_school_stage_facilities); if the `all` row was in fact the school's
--   total, R4–R7 of stages without an own row may be overstated.
-- How to fix: ask the school (or the county bureau) which figures are right
--   and re-export the facilities file with one layout.

select a.year, a.school_id
from {{ ref('stg_census__facilities') }} as a
inner join {{ ref('stg_census__facilities') }} as s
    on a.year = s.year and a.school_id = s.school_id
where a.stage = 'all' and s.stage <> 'all'
group by a.year, a.school_id
