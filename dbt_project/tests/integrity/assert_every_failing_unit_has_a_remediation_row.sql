-- What: every evaluated unit that does not pass resource allocation has at
--   least one row in school_remediation, and every unit with a row there is
--   evaluated and misses at least one indicator (issue 9: "every unit that
--   fails has a remediation row").
-- When it matters: a failing school missing from the plan would be left out of
--   the bureau's budget and of its rectification report.
-- How to fix: compare the unit's rows in school_stage_indicators with
--   int_school_remediation's filter (evaluated, status <> 'met').

with

run_years as (

    select distinct year from {{ ref('int_schools') }}

),

failing as (

    select year, school_id, stage
    from {{ ref('school_stage_summary') }}
    where evaluated and not passes
      and year in (select year from run_years)

),

planned as (

    select distinct year, school_id, stage
    from {{ ref('school_remediation') }}
    where year in (select year from run_years)

),

missing_indicators as (

    select distinct year, school_id, stage
    from {{ ref('school_stage_indicators') }}
    where evaluated and status <> 'met'
      and year in (select year from run_years)

)

select failing.*, 'failing unit without a remediation row' as problem
from failing
where not exists (
    select 1 from planned
    where planned.year = failing.year and planned.school_id = failing.school_id
      and planned.stage = failing.stage
)

union all

select planned.*, 'remediation row for a unit that is not evaluated or meets every indicator'
from planned
where not exists (
    select 1 from missing_indicators as m
    where m.year = planned.year and m.school_id = planned.school_id and m.stage = planned.stage
)
