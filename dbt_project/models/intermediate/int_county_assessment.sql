-- All county indicator rows of the assessment, one per county, year,
-- indicator and (for R1–R7 and G13) stage: the resource area, the measurable
-- government-guarantee, quality and social indicators, the veto, and the
-- qualitative items (G1, G2, G10, Q3, Q5–Q8) with status `qualitative`.

with

counties as (

    select year, county_code from {{ ref('int_counties') }}

),

indicators as (

    select * from {{ ref('indicators') }}

),

measured as (

    select * from {{ ref('int_county_resource_indicators') }}
    union all
    select * from {{ ref('int_county_school_indicators') }}
    union all
    select * from {{ ref('int_county_file_indicators') }}

),

qualitative as (

    select
        counties.year,
        counties.county_code,
        indicators.indicator,
        null::varchar          as stage,
        null::double           as numerator,
        null::double           as denominator,
        null::double           as value,
        null::double           as standard,
        null::varchar          as comparison,
        null::double           as second_value,
        null::double           as second_standard,
        null::varchar          as second_comparison,
        'qualitative'          as status,
        'to be assessed by inspectors (待督导评估)'    as detail
    from counties
    cross join indicators
    where indicators.kind = 'qualitative'

),

all_rows as (

    select * from measured
    union all
    select * from qualitative

)

select
    all_rows.year,
    all_rows.county_code,
    indicators.area,
    all_rows.indicator,
    all_rows.stage,
    indicators.name_zh          as indicator_name_zh,
    indicators.sort_order,
    all_rows.value,
    all_rows.standard,
    all_rows.comparison,
    all_rows.second_value,
    all_rows.second_standard,
    all_rows.second_comparison,
    all_rows.numerator,
    all_rows.denominator,
    all_rows.status,
    nullif(all_rows.detail, '')  as detail

from all_rows
inner join indicators
    on all_rows.indicator = indicators.indicator
