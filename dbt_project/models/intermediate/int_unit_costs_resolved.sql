-- The `unit_costs` seed resolved for each county and census year, as standards
-- are: the row of the county's province wins over the `default` row; only rows
-- whose validity years include the census year are considered. One row per
-- county, year and kind of addition (remediation_kinds), with the kind's unit,
-- cost basis (per_year for teachers, one_time otherwise) and rounding step.

with

counties as (

    select year, county_code, province_code from {{ ref('int_counties') }}

),

costs as (

    select * from {{ ref('unit_costs') }}

),

kinds as (

    select * from {{ ref('remediation_kinds') }}

),

candidates as (

    select
        counties.year,
        counties.county_code,
        costs.kind,
        costs.yuan,
        costs.province_code    as cost_source,
        row_number() over (
            partition by counties.year, counties.county_code, costs.kind
            order by
                case when costs.province_code = counties.province_code then 0 else 1 end,
                costs.valid_from_year desc nulls last
        ) as preference

    from counties
    inner join costs
        on (costs.province_code = counties.province_code
            or costs.province_code = 'default')
        and counties.year >= coalesce(costs.valid_from_year, counties.year)
        and counties.year <= coalesce(costs.valid_to_year, counties.year)

)

select
    candidates.year,
    candidates.county_code,
    candidates.kind,
    kinds.indicator,
    kinds.unit,
    kinds.cost_basis,
    kinds.rounding_step,
    candidates.yuan,
    candidates.cost_source

from candidates
inner join kinds
    on candidates.kind = kinds.kind
where candidates.preference = 1
