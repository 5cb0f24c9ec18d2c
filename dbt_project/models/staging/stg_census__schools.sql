with

source as (

    select * from {{ source('census', 'schools') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)          as year,
        cast(school_id as varchar)     as school_id,
        cast(school_name as varchar)   as school_name,
        cast(county_code as varchar)   as county_code,
        cast(county_name as varchar)   as county_name,
        cast(school_type as varchar)   as school_type,
        cast(urban_rural as varchar)   as urban_rural,
        cast(ownership as varchar)     as ownership,
        cast(built_year as integer)    as built_year,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
