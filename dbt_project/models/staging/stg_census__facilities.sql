with

source as (

    select * from {{ source('census', 'facilities') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                  as year,
        cast(school_id as varchar)             as school_id,
        cast(stage as varchar)                 as stage,
        cast(teaching_aux_area_m2 as double)   as teaching_aux_area_m2,
        cast(sports_area_m2 as double)         as sports_area_m2,
        cast(equipment_value_yuan as double)   as equipment_value_yuan,
        cast(multimedia_classrooms as double)  as multimedia_classrooms,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
