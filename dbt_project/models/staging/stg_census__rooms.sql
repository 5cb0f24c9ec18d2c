with

source as (

    select * from {{ source('census', 'rooms') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)        as year,
        cast(school_id as varchar)   as school_id,
        cast(room_type as varchar)   as room_type,
        cast(area_m2 as double)      as area_m2,
        cast(built_year as integer)  as built_year,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
