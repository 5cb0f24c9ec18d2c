-- The county spine: every county with at least one school in a census year. Its
-- name is the most frequent spelling among its schools; a tie goes to the first
-- in code-point order, so that every run picks the same.

select
    year,
    county_code,
    -- without the order, a tie would go to whichever school happens to be read first
    mode(county_name order by county_name)    as county_name,
    min(city_code)                            as city_code,
    min(province_code)                        as province_code,
    count(*)                                  as schools

from {{ ref('int_schools') }}
group by year, county_code
