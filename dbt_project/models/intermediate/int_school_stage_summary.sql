-- Resource allocation per unit: how many of R1–R7 it meets and whether it
-- passes (meets at least 6 of the 7 and the remaining one is at least 85 % of
-- its standard: standards RESOURCE / min_met_indicators, min_ratio_for_unmet).
--
-- min_ratio is null when any ratio is null, and `passes` is then false: a unit
-- with six met and one no_data does not pass. `pass_status` refines this:
-- not_met when the unit fails whatever its missing values would be (more
-- unmet indicators than allowed, or an unmet one below 85 %), no_data when it
-- fails only for lack of data, met when it passes.

with

values_ as (

    select * from {{ ref('int_school_stage_indicator_values') }}

),

std as (

    {{ pivot_standards([
        ('RESOURCE', 'all', 'min_met_indicators', 'min_met_indicators'),
        ('RESOURCE', 'all', 'min_ratio_for_unmet', 'min_ratio_for_unmet'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

per_unit as (

    -- grouped by the unit and the unit's own attributes, which each of its seven
    -- rows repeats (cheaper than picking them with any_value); the lists of
    -- indicators are sorted after the aggregate (cheaper than ordered string_agg)
    select
        year,
        school_id,
        stage,
        county_code,
        school_type,
        students,
        teachers,
        evaluated,
        excluded_reason,
        count(*)                                          as indicators,
        count(*) filter (where status = 'met')            as met_count,
        count(*) filter (where status = 'not_met')        as not_met_count,
        count(*) filter (where status = 'no_data')        as no_data_count,
        case when count(ratio) = count(*) then min(ratio) end    as min_ratio,
        min(ratio) filter (where status = 'not_met')      as min_unmet_ratio,
        array_to_string(list_sort(list(indicator) filter (where status = 'not_met')), ',')
                                                          as not_met_indicators,
        array_to_string(list_sort(list(indicator) filter (where status = 'no_data')), ',')
                                                          as no_data_indicators

    from values_
    group by year, school_id, stage, county_code, school_type, students, teachers, evaluated, excluded_reason

)

select
    per_unit.year,
    per_unit.school_id,
    per_unit.stage,
    per_unit.county_code,
    per_unit.school_type,
    per_unit.students,
    per_unit.teachers,
    per_unit.evaluated,
    per_unit.excluded_reason,
    per_unit.met_count,
    per_unit.not_met_count,
    per_unit.no_data_count,
    per_unit.min_ratio,
    per_unit.not_met_indicators,
    per_unit.no_data_indicators,
    coalesce(
        per_unit.min_ratio is not null
        and per_unit.met_count >= std.min_met_indicators
        and {{ at_least('per_unit.min_ratio', 'std.min_ratio_for_unmet', 'std.tolerance') }},
        false
    ) as passes,
    case
        when per_unit.not_met_count > per_unit.indicators - std.min_met_indicators
            or not {{ at_least('per_unit.min_unmet_ratio', 'std.min_ratio_for_unmet', 'std.tolerance') }}
            then 'not_met'
        when per_unit.no_data_count > 0 or std.min_met_indicators is null then 'no_data'
        when per_unit.met_count >= std.min_met_indicators
            and {{ at_least('per_unit.min_ratio', 'std.min_ratio_for_unmet', 'std.tolerance') }}
            then 'met'
        else 'not_met'
    end as pass_status

from per_unit
left join std
    on per_unit.year = std.year
    and per_unit.county_code = std.county_code
