with

source as (

    select * from {{ source('census', 'finance') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                      as year,
        cast(school_id as varchar)                 as school_id,
        cast(public_funds_budget_yuan as double)   as public_funds_budget_yuan,
        cast(teacher_training_yuan as double)      as teacher_training_yuan,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
