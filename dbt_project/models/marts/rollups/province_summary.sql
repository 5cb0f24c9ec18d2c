-- Rollup of county_summary by province (province_code = first 2 digits of the
-- county code + '0000'), every year.
{{ rollup_county_summary('province_code') }}
