with

source as (

    select * from {{ source('census', 'county') }}
    {{ year_filter() }}

),

renamed as (

    select
        cast(year as integer)                                 as year,
        cast(county_code as varchar)                          as county_code,
        cast(teacher_avg_salary_yuan as double)               as teacher_avg_salary_yuan,
        cast(civil_servant_avg_salary_yuan as double)         as civil_servant_avg_salary_yuan,
        cast(special_ed_funding_per_student_yuan as double)   as special_ed_funding_per_student_yuan,
        cast(small_school_funded_as_100 as boolean)           as small_school_funded_as_100,
        cast(nearby_enrollment_primary_pct as double)         as nearby_enrollment_primary_pct,
        cast(nearby_enrollment_junior_pct as double)          as nearby_enrollment_junior_pct,
        cast(quota_total as double)                           as quota_total,
        cast(quota_allocated as double)                       as quota_allocated,
        cast(migrant_eligible as double)                      as migrant_eligible,
        cast(migrant_in_public as double)                     as migrant_in_public,
        cast(junior_graduates as double)                      as junior_graduates,
        cast(junior_cohort_initial as double)                 as junior_cohort_initial,
        cast(junior_transfer_in as double)                    as junior_transfer_in,
        cast(junior_transfer_out as double)                   as junior_transfer_out,
        cast(junior_deaths as double)                         as junior_deaths,
        cast(disabled_children_total as double)               as disabled_children_total,
        cast(disabled_children_enrolled as double)            as disabled_children_enrolled,
        cast(survey_valid as double)                          as survey_valid,
        cast(survey_satisfied as double)                      as survey_satisfied,
        cast(quality_composite as double)                     as quality_composite,
        cast(quality_between_school_cv as double)             as quality_between_school_cv,
        -- an empty or blank veto text means "no veto item"
        nullif(trim(cast(veto_flags as varchar)), '')         as veto_flags,
        source_file,
        source_sheet,
        source_row

    from source

)

select * from renamed
