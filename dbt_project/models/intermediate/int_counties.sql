-- The county spine: every county with at least one school in a census year.

select
    year,
    county_code,
    -- the most frequent spelling of the county name among its schools
    mode(county_name)     as county_name,
    min(city_code)        as city_code,
    min(province_code)    as province_code,
    count(*)              as schools

from {{ ref('int_schools') }}
group by year, county_code
