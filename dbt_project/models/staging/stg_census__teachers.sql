with

source as (

    select * from {{ source('census', 'teachers') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                as year,
        cast(teacher_id as varchar)          as teacher_id,
        cast(school_id as varchar)           as school_id,
        cast(stage as varchar)               as stage,
        cast(education as varchar)           as education,
        cast(backbone_level as varchar)      as backbone_level,
        cast(subject as varchar)             as subject,
        cast(has_certificate as boolean)     as has_certificate,
        cast(training_hours_5y as double)    as training_hours_5y,
        cast(rotation_eligible as boolean)   as rotation_eligible,
        cast(rotated as boolean)             as rotated,
        cast(id_card_hash as varchar)        as id_card_hash,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
