-- What: for every unit whose plan_status is passes_after_plan, the values
--   after the planned additions satisfy the pass rule: at least
--   min_met_indicators of the unit's indicators met and every indicator left
--   below its standard at least min_ratio_for_unmet of it (standards RESOURCE);
--   and a unit that passes now needs nothing.
-- When it matters: the plan is what the bureau budgets; a plan that does not
--   make the unit pass would leave the county failing after the money is spent.
-- How to fix: look at the unit's rows in school_remediation (shortfall,
--   shortfall_to_min_ratio, target, value_after) and at int_school_remediation's
--   ranking by saving.

with

std as (

    {{ pivot_standards([
        ('RESOURCE', 'all', 'min_met_indicators', 'min_met_indicators'),
        ('RESOURCE', 'all', 'min_ratio_for_unmet', 'min_ratio_for_unmet'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

units as (

    select
        r.year,
        r.school_id,
        r.stage,
        any_value(r.county_code)                                         as county_code,
        any_value(r.plan_status)                                         as plan_status,
        any_value(s.met_count + s.not_met_count + s.no_data_count)       as indicators,
        any_value(s.met_count)                                           as met_now,
        count(*) filter (where r.status_after = 'met')                   as met_by_plan,
        count(*) filter (where r.needed_to_pass)                         as additions,
        min(r.value_after / r.standard)                                  as min_ratio_after

    from {{ ref('int_school_remediation') }} as r
    inner join {{ ref('int_school_stage_summary') }} as s
        on r.year = s.year and r.school_id = s.school_id and r.stage = s.stage
    group by r.year, r.school_id, r.stage

)

select units.*
from units
left join std
    on units.year = std.year and units.county_code = std.county_code
where (units.plan_status = 'passes_after_plan'
       and (units.met_now + units.met_by_plan < std.min_met_indicators
            or not {{ at_least('units.min_ratio_after', 'std.min_ratio_for_unmet', 'std.tolerance') }}))
   or (units.plan_status = 'already_passes' and units.additions > 0)
