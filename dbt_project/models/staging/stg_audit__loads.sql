with

source as (

    select * from {{ source('audit', 'loads') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                        as year,
        cast(table_name as varchar)                  as table_name,
        cast(source_file as varchar)                 as source_file,
        cast(status as varchar)                      as status,
        cast(loaded_at as timestamp with time zone)  as loaded_at,
        cast(run_id as varchar)                      as run_id

    from source

)

select * from renamed
