with

source as (

    select * from {{ source('census', 'classes') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)        as year,
        cast(school_id as varchar)   as school_id,
        cast(class_id as varchar)    as class_id,
        cast(stage as varchar)       as stage,
        cast(grade as integer)       as grade,
        cast(students as bigint)     as students,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
