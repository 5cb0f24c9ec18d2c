-- What: no two rows of the standards or unit_costs seeds for the same province and
--   item (indicator, scope and parameter; kind of addition) apply to a common year.
-- When it matters: int_standards_resolved and int_unit_costs_resolved pick one row
--   per county and year by province, then the latest valid_from_year; two rows
--   that tie on both would be picked at random, so two runs of the same census
--   could publish different verdicts or costs.
-- How to fix: end the older row's validity (valid_to_year) the year before the
--   newer one starts, in seeds/standards.csv or seeds/unit_costs.csv.

with

standards as (

    select province_code, indicator || '/' || scope || '/' || parameter as item, valid_from_year, valid_to_year,
        'standards' as seed
    from {{ ref('standards') }}

),

unit_costs as (

    select province_code, kind as item, valid_from_year, valid_to_year, 'unit_costs' as seed
    from {{ ref('unit_costs') }}

),

seeded as (

    select *, row_number() over () as n
    from (select * from standards union all select * from unit_costs)

)

select a.seed, a.province_code, a.item,
    a.valid_from_year, a.valid_to_year, b.valid_from_year as other_valid_from_year, b.valid_to_year as other_valid_to_year
from seeded as a
inner join seeded as b
    on a.seed = b.seed and a.province_code = b.province_code and a.item = b.item and a.n < b.n
where coalesce(a.valid_from_year, -1) <= coalesce(b.valid_to_year, 100000)
  and coalesce(b.valid_from_year, -1) <= coalesce(a.valid_to_year, 100000)
