-- The `standards` seed resolved for each county and census year: the row of the
-- county's province wins over the `default` row; only rows whose validity
-- years include the census year are considered.

with

counties as (

    select year, county_code, province_code from {{ ref('int_counties') }}

),

standards as (

    select * from {{ ref('standards') }}

),

candidates as (

    select
        counties.year,
        counties.county_code,
        standards.indicator,
        standards.scope,
        standards.parameter,
        standards.value,
        standards.unit,
        standards.rule_set,
        standards.province_code    as standard_source,
        row_number() over (
            partition by counties.year, counties.county_code,
                         standards.indicator, standards.scope, standards.parameter
            order by
                case when standards.province_code = counties.province_code then 0 else 1 end,
                standards.valid_from_year desc nulls last
        ) as preference

    from counties
    inner join standards
        on (standards.province_code = counties.province_code
            or standards.province_code = 'default')
        and counties.year >= coalesce(standards.valid_from_year, counties.year)
        and counties.year <= coalesce(standards.valid_to_year, counties.year)

)

select
    year,
    county_code,
    indicator,
    scope,
    parameter,
    value,
    unit,
    rule_set,
    standard_source

from candidates
where preference = 1
