-- Rollup of county_summary by city (city_code = first 4 digits of the county
-- code + '00'), every year.
{{ rollup_county_summary('city_code') }}
