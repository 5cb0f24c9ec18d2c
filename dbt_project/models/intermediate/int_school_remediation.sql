-- Remediation plan per unit (整改): for every evaluated unit and every resource
-- indicator R1–R7 it does not meet (status not_met or no_data), one row with
-- the addition that closes the gap, in the indicator's natural unit
-- (remediation_kinds): teachers of the kind counted by the indicator (R1 above
-- the required degree, R2 county-level-or-higher backbone, R3 PE / music /
-- art), m² of teaching and auxiliary floor area (R4) or sports ground (R5),
-- yuan of equipment (R6), networked multimedia classrooms (R7).
--
--   missing numerator = target × students / scale − numerator
--   (scale 100 for the per-100-students indicators), rounded up to the kind's
--   rounding_step: whole people and rooms, 0.01 m², whole yuan. Additions and
--   costs are exact decimals (the additions of two places, costs to the fen), so
--   the county totals are exact sums, the same on every run.
--   shortfall              : to reach the standard (target = standard);
--   shortfall_to_min_ratio : to reach min_ratio_for_unmet × standard (85 %),
--                            0 when the value is already there.
--
-- The plan (needed_to_pass): the unit passes when it meets at least
-- min_met_indicators (6) of its 7 indicators and every unmet one is at least
-- 85 % of its standard (standards RESOURCE). With k indicators not met and
-- a = 7 − 6 = 1 allowed below standard, the unit must bring k − a of them to
-- the standard and may leave up to a of them at 85 %. Costs are additive, so
-- the cheapest plan leaves below standard the a indicators with the largest
-- saving = (shortfall − shortfall_to_min_ratio) × unit cost (ties: the lower
-- indicator code), and raises every other one to its standard. When reaching
-- 85 % costs as much as reaching the standard (e.g. both need 1 teacher), the
-- standard is planned. A unit that already passes needs nothing; a row with
-- addition 0 has needed_to_pass false. Costs from int_unit_costs_resolved (a
-- teacher counts one teacher-year, so comparisons are first-year costs).
--
-- Assumptions: an added teacher counts only toward the indicator it is added
-- for (a PE teacher with a bachelor degree would raise R1 as well: ignored, so
-- the plan is conservative: every addition only ever raises indicators). An
-- indicator without a value (no_data) gets a row with status no_data and no
-- addition: the figure must be supplied; the plan of the unit's other
-- indicators assumes it is met (plan_status depends_on_missing_data).

with

values_ as (

    select * from {{ ref('int_school_stage_indicator_values') }}
    where evaluated and status <> 'met'

),

summary as (

    select * from {{ ref('int_school_stage_summary') }}
    where evaluated

),

indicators as (

    select indicator, scale from {{ ref('indicators') }}
    where area = 'resource' and kind = 'measurable'

),

costs as (

    select * from {{ ref('int_unit_costs_resolved') }}

),

std as (

    {{ pivot_standards([
        ('RESOURCE', 'all', 'min_met_indicators', 'min_met_indicators'),
        ('RESOURCE', 'all', 'min_ratio_for_unmet', 'min_ratio_for_unmet'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

gaps as (

    select
        values_.year,
        values_.school_id,
        values_.stage,
        values_.indicator,
        values_.county_code,
        values_.school_type,
        values_.indicator_name_zh,
        values_.status,
        values_.no_data_reason,
        values_.students,
        values_.numerator,
        values_.value,
        values_.standard,
        values_.ratio,
        indicators.scale,
        costs.kind,
        costs.unit,
        costs.cost_basis,
        costs.rounding_step,
        costs.yuan                                                   as unit_cost,
        std.min_ratio_for_unmet,
        std.min_ratio_for_unmet * values_.standard                   as min_value,
        std.tolerance,
        summary.passes                                               as unit_passes,
        summary.pass_status                                          as unit_pass_status,
        summary.not_met_count                                        as unit_not_met_count,
        summary.no_data_count                                        as unit_no_data_count,
        summary.met_count + summary.not_met_count + summary.no_data_count
            - std.min_met_indicators                                 as allowed_below_standard,
        values_.standard * values_.students / indicators.scale
            - values_.numerator                                      as missing_to_standard,
        std.min_ratio_for_unmet * values_.standard * values_.students / indicators.scale
            - values_.numerator                                      as missing_to_min_ratio

    from values_
    inner join summary
        on values_.year = summary.year
        and values_.school_id = summary.school_id
        and values_.stage = summary.stage
    inner join indicators
        on values_.indicator = indicators.indicator
    left join costs
        on values_.year = costs.year
        and values_.county_code = costs.county_code
        and values_.indicator = costs.indicator
    left join std
        on values_.year = std.year
        and values_.county_code = std.county_code

),

rounded as (

    select
        *,
        -- rounded up to the kind's step; round(…, 6) first so that binary noise
        -- (3.0000000000000004 teachers) does not add a step; at least one step
        -- when the indicator is not met
        case when status = 'not_met' then
            (greatest(ceil(round(missing_to_standard / rounding_step, 6)), 1)::decimal(18, 0)
             * rounding_step)::decimal(18, 2)
        end                                                          as shortfall,
        case
            when status <> 'not_met' then null
            when {{ at_least('ratio', 'min_ratio_for_unmet', 'tolerance') }} then 0::decimal(18, 2)
            else (greatest(ceil(round(missing_to_min_ratio / rounding_step, 6)), 1)::decimal(18, 0)
                  * rounding_step)::decimal(18, 2)
        end                                                          as shortfall_to_min_ratio

    from gaps

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, school_id, stage, status
            order by (shortfall - shortfall_to_min_ratio) * unit_cost desc nulls last, indicator
        )                                                            as saving_rank

    from rounded

),

planned as (

    select
        *,
        coalesce(
            status = 'not_met'
            and saving_rank <= allowed_below_standard
            and shortfall_to_min_ratio < shortfall,
            false
        )                                                            as left_below_standard

    from ranked

),

additions as (

    select
        *,
        case
            when status <> 'not_met' then null
            when left_below_standard then shortfall_to_min_ratio
            else shortfall
        end                                                          as addition

    from planned

),

final as (

    select
        *,
        coalesce(addition > 0, false)                                as needed_to_pass,
        case
            when addition > 0 and left_below_standard then 'min_ratio'
            when addition > 0 then 'standard'
        end                                                          as target,
        case when status = 'not_met' then scale * (numerator + addition) / students end
                                                                     as value_after,
        (addition * unit_cost)::decimal(18, 2)                       as estimated_cost,
        (shortfall * unit_cost)::decimal(18, 2)                      as cost_to_standard,
        case
            when unit_passes then 'already_passes'
            when unit_no_data_count > 0 then 'depends_on_missing_data'
            else 'passes_after_plan'
        end                                                          as plan_status

    from additions

)

select
    year,
    school_id,
    stage,
    indicator,
    county_code,
    school_type,
    indicator_name_zh,
    status,
    students,
    numerator,
    value,
    standard,
    ratio,
    min_value,
    kind,
    unit,
    shortfall,
    shortfall_to_min_ratio,
    needed_to_pass,
    target,
    addition,
    value_after,
    {{ status_at_least('value_after', 'standard', 'tolerance') }}    as status_after,
    unit_cost,
    cost_basis,
    estimated_cost,
    cost_to_standard,
    unit_pass_status,
    unit_not_met_count,
    unit_no_data_count,
    plan_status,
    case
        when status = 'no_data' then
            'no value (' || coalesce(no_data_reason, 'unknown') || '): supply the figure; '
            || 'the plan of the other indicators assumes it is met'
        when needed_to_pass and target = 'standard' then
            kind || ' +' || printf(case when unit = 'm2' then '%.2f' else '%.0f' end, addition) || ' ' || unit
            || ': ' || printf('%.4g', value) || ' → ' || printf('%.4g', value_after)
            || ', the standard ' || printf('%g', standard)
        when needed_to_pass then
            kind || ' +' || printf(case when unit = 'm2' then '%.2f' else '%.0f' end, addition) || ' ' || unit
            || ': ' || printf('%.4g', value) || ' → ' || printf('%.4g', value_after)
            || ', at least ' || printf('%g', 100 * min_ratio_for_unmet) || ' % of the standard '
            || printf('%g', standard) || ' (the one indicator the pass rule leaves below standard)'
        else
            'nothing needed to pass: at ' || printf('%.1f', 100 * ratio) || ' % of the standard '
            || printf('%g', standard) || ', the one indicator the pass rule leaves below standard; '
            || 'reaching the standard takes ' || kind || ' +'
            || printf(case when unit = 'm2' then '%.2f' else '%.0f' end, shortfall) || ' ' || unit
    end                                                              as detail

from final
