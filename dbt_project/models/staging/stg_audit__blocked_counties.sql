with

source as (

    select * from {{ source('audit', 'blocked_counties') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                        as year,
        cast(county_code as varchar)                 as county_code,
        cast(reason as varchar)                      as reason,
        cast(reason_zh as varchar)                   as reason_zh,
        cast(data_as_of as timestamp with time zone) as data_as_of,
        cast(blocked_at as timestamp with time zone) as blocked_at,
        cast(run_id as varchar)                      as run_id

    from source

)

select * from renamed
