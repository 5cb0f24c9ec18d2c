-- One row per county and year: unit and CV counts, the status of each area and
-- the overall verdict.
--
-- Area status (resource, government, quality, social): not_met when any of its
-- indicator rows is not_met; otherwise incomplete when any is no_data or
-- qualitative; otherwise met. The government and quality areas contain
-- qualitative items, so they are at best incomplete until inspectors assess
-- them.
-- veto: true when a one-vote-veto item is listed, false when the county row
-- lists none, null when there is no county row.
-- overall: not_met when a veto item is listed or any area is not_met (anything
-- measurable fails); otherwise incomplete when any area is incomplete or the
-- veto is unknown (the verdict would rest on no_data or qualitative items);
-- otherwise met.
--
-- Held-back counties (int_blocked_counties): blocked is true, with the reason
-- in both languages and data_as_of, when the data the county keeps were loaded
-- (its last good load; null when it keeps none). Every other county's rows
-- come from the year's latest load: data_as_of is null, so that two runs of
-- the same census give the same rows. A county held back without any data of
-- the year has a row too: no school, every count 0, areas incomplete, overall
-- incomplete, county_name null.

with

counties as (

    select * from {{ ref('int_counties') }}

),

blocked as (

    select * from {{ ref('int_blocked_counties') }}

),

spine as (

    select year, county_code, county_name, city_code, province_code, schools, true as has_data
    from counties

    union all

    select
        blocked.year,
        blocked.county_code,
        null                                      as county_name,
        left(blocked.county_code, 4) || '00'      as city_code,
        left(blocked.county_code, 2) || '0000'    as province_code,
        0                                         as schools,
        false                                     as has_data
    from blocked
    anti join counties
        on blocked.year = counties.year
        and blocked.county_code = counties.county_code

),

assessment as (

    select * from {{ ref('int_county_assessment') }}

),

units as (

    select
        year,
        county_code,
        count(*)                                          as units,
        count(*) filter (where evaluated)                 as evaluated_units,
        count(*) filter (where evaluated and passes)      as passing_units,
        sum(students)::bigint                             as students
    from {{ ref('int_school_stage_summary') }}
    group by year, county_code

),

cv as (

    select
        year,
        county_code,
        count(*)                                          as cv_checks,
        count(*) filter (where status = 'met')            as cv_within_limits
    from {{ ref('int_county_cv') }}
    group by year, county_code

),

classes as (

    select
        year,
        county_code,
        coalesce(sum(classes) filter (where category <> 'within_standard'), 0)::bigint   as oversize_classes,
        coalesce(sum(students) filter (where category <> 'within_standard'), 0)::bigint  as students_in_oversize_classes,
        coalesce(sum(classes) filter (where category = 'large'), 0)::bigint               as large_classes,
        coalesce(sum(students) filter (where category = 'large'), 0)::bigint              as students_in_large_classes,
        coalesce(sum(classes) filter (where category = 'super_large'), 0)::bigint         as super_large_classes,
        coalesce(sum(students) filter (where category = 'super_large'), 0)::bigint        as students_in_super_large_classes
    from {{ ref('int_county_class_sizes') }}
    group by year, county_code

),

schools as (

    select
        year,
        county_code,
        count(*) filter (where over_limit)                                     as oversize_schools,
        coalesce(sum(compulsory_students) filter (where over_limit), 0)::bigint
                                                                               as students_in_oversize_schools
    from {{ ref('int_schools_size_classified') }}
    group by year, county_code

),

areas as (

    select
        year,
        county_code,
        area,
        case
            when bool_or(status = 'not_met') then 'not_met'
            when bool_or(status in ('no_data', 'qualitative')) then 'incomplete'
            else 'met'
        end as area_status
    from assessment
    where area <> 'veto'
    group by year, county_code, area

),

area_pivot as (

    select
        year,
        county_code,
        max(area_status) filter (where area = 'resource')      as resource_met,
        max(area_status) filter (where area = 'government')    as government_met,
        max(area_status) filter (where area = 'quality')       as quality_met,
        max(area_status) filter (where area = 'social')        as social_met
    from areas
    group by year, county_code

),

status_counts as (

    select
        year,
        county_code,
        count(*) filter (where status = 'met')           as indicator_rows_met,
        count(*) filter (where status = 'not_met')       as indicator_rows_not_met,
        count(*) filter (where status = 'no_data')       as indicator_rows_no_data,
        count(*) filter (where status = 'qualitative')   as indicator_rows_qualitative,
        max(value) filter (where indicator = 'V')        as veto_value,
        max(detail) filter (where indicator = 'V')       as veto_detail
    from assessment
    group by year, county_code

),

joined as (

    select
        spine.year,
        spine.county_code,
        spine.county_name,
        spine.city_code,
        spine.province_code,
        spine.schools,
        coalesce(units.units, 0)                      as units,
        coalesce(units.evaluated_units, 0)            as evaluated_units,
        coalesce(units.passing_units, 0)              as passing_units,
        coalesce(units.students, 0)                   as students,
        coalesce(cv.cv_checks, 0)                     as cv_checks,
        coalesce(cv.cv_within_limits, 0)              as cv_within_limits,
        {%- for area in ['resource', 'government', 'quality', 'social'] %}
        coalesce(area_pivot.{{ area }}_met, case when not spine.has_data then 'incomplete' end)
                                                      as {{ area }}_met,
        {%- endfor %}
        case when status_counts.veto_value = 1 then true
             when status_counts.veto_value = 0 then false end    as veto,
        status_counts.veto_detail                                as veto_items,
        coalesce(status_counts.indicator_rows_met, 0)            as indicator_rows_met,
        coalesce(status_counts.indicator_rows_not_met, 0)        as indicator_rows_not_met,
        coalesce(status_counts.indicator_rows_no_data, 0)        as indicator_rows_no_data,
        coalesce(status_counts.indicator_rows_qualitative, 0)    as indicator_rows_qualitative,
        coalesce(classes.oversize_classes, 0)                    as oversize_classes,
        coalesce(classes.students_in_oversize_classes, 0)        as students_in_oversize_classes,
        coalesce(classes.large_classes, 0)                       as large_classes,
        coalesce(classes.students_in_large_classes, 0)           as students_in_large_classes,
        coalesce(classes.super_large_classes, 0)                 as super_large_classes,
        coalesce(classes.students_in_super_large_classes, 0)     as students_in_super_large_classes,
        coalesce(schools.oversize_schools, 0)                    as oversize_schools,
        coalesce(schools.students_in_oversize_schools, 0)        as students_in_oversize_schools,
        blocked.county_code is not null                          as blocked,
        blocked.blocked_reason,
        blocked.blocked_reason_zh,
        blocked.data_as_of

    from spine
    left join units
        on spine.year = units.year and spine.county_code = units.county_code
    left join cv
        on spine.year = cv.year and spine.county_code = cv.county_code
    left join area_pivot
        on spine.year = area_pivot.year and spine.county_code = area_pivot.county_code
    left join status_counts
        on spine.year = status_counts.year and spine.county_code = status_counts.county_code
    left join classes
        on spine.year = classes.year and spine.county_code = classes.county_code
    left join schools
        on spine.year = schools.year and spine.county_code = schools.county_code
    left join blocked
        on spine.year = blocked.year and spine.county_code = blocked.county_code

)

select
    *,
    case
        when veto then 'not_met'
        when 'not_met' in (resource_met, government_met, quality_met, social_met) then 'not_met'
        when veto is null
            or 'incomplete' in (resource_met, government_met, quality_met, social_met)
            or resource_met is null or government_met is null
            or quality_met is null or social_met is null
            then 'incomplete'
        else 'met'
    end as overall

from joined
