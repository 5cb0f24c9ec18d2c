-- Inequality of R1–R7 between schools, per county, year, stage and indicator,
-- beyond the official CV. Same population as the CV: the evaluated units with a
-- non-null value; every measure is student-weighted (each unit stands for its
-- students, Pi; P = Σ Pi; μ = Σ Pi·Xi / P):
--
--   Theil T      = Σ (Pi/P)·(Xi/μ)·ln(Xi/μ)          (a term with Xi = 0 is 0)
--   decomposition by area_class g (urban / town / rural; 'unknown' when the
--   school has no urban_rural code), with Pg, μg and Tg the group's students,
--   weighted mean and Theil index and sg = Pg·μg / (P·μ) its share of the total:
--     theil_between = Σ sg·ln(μg/μ),   theil_within = Σ sg·Tg,
--     theil = theil_between + theil_within.
--   Gini         = Σi Σj Pi·Pj·|Xi − Xj| / (2·P²·μ), computed from the Lorenz
--                  curve: 1 − Σ (Pi/P)·(L(i−1) + L(i)), units sorted by value,
--                  L the cumulative share of Σ Pi·Xi.
--   McLoone      = Σ Pi·Xi over units at or below the weighted median m
--                  / (m · Σ Pi over those units); the weighted median is the
--                  smallest value whose cumulative student share reaches 1/2.
--                  1 = no unit below the median falls short of it.
-- Null when there is no such unit or the mean (median for McLoone) is 0; with a
-- single unit Theil and Gini are 0 and McLoone 1.
--
-- Every floating-point sum adds its terms in a fixed order (units by school,
-- area classes by name, the Lorenz curve by value then school), so that a
-- re-run of the same census gives the same values to the last bit: a plain
-- sum() adds them in the order the threads deliver them.

with

values_ as (

    select
        v.year,
        v.county_code,
        v.stage,
        v.indicator,
        v.school_id,
        v.students,
        v.value,
        coalesce(s.area_class, 'unknown')    as area_class
    from {{ ref('int_school_stage_indicator_values') }} as v
    inner join {{ ref('int_schools') }} as s
        on v.year = s.year
        and v.school_id = s.school_id
    where v.evaluated and v.value is not null

),

spine as (

    select year, county_code, stage, indicator
    from {{ ref('int_county_cv') }}

),

-- the units of a county, stage and indicator, and of each area class of them,
-- as lists in school order
unit_lists as (

    select
        year, county_code, stage, indicator,
        count(*)                                                             as n_units,
        sum(students)                                                        as p,
        list({'students': students, 'value': value} order by school_id)       as units
    from values_
    group by year, county_code, stage, indicator

),

group_lists as (

    select
        year, county_code, stage, indicator, area_class,
        sum(students)                                                        as p_g,
        list({'students': students, 'value': value} order by school_id)       as units
    from values_
    group by year, county_code, stage, indicator, area_class

),

totals as (

    select
        year, county_code, stage, indicator, n_units, p,
        list_sum([u.students * u.value for u in units]) / p                  as mu,
        units
    from unit_lists

),

theil as (

    select
        year, county_code, stage, indicator,
        list_sum([
            case when u.value > 0 and mu > 0 then (u.students / p) * (u.value / mu) * ln(u.value / mu) else 0 end
            for u in units
        ])                                                                   as theil
    from totals

),

groups as (

    select
        year, county_code, stage, indicator, area_class, p_g, mu_g,
        list_sum([
            case when u.value > 0 and mu_g > 0 then (u.students / p_g) * (u.value / mu_g) * ln(u.value / mu_g) else 0 end
            for u in units
        ])                                                                   as theil_g
    from (
        select *, list_sum([u.students * u.value for u in units]) / p_g      as mu_g
        from group_lists
    )

),

decomposition as (

    select
        groups.year, groups.county_code, groups.stage, groups.indicator,
        count(*)                                                                         as n_area_classes,
        sum(case when groups.mu_g > 0 and totals.mu > 0
                 then (groups.p_g * groups.mu_g) / (totals.p * totals.mu) * ln(groups.mu_g / totals.mu) else 0 end
            order by groups.area_class)                                                  as theil_between,
        sum(case when totals.mu > 0
                 then (groups.p_g * groups.mu_g) / (totals.p * totals.mu) * groups.theil_g else 0 end
            order by groups.area_class)                                                  as theil_within
    from groups
    inner join totals
        on groups.year = totals.year
        and groups.county_code = totals.county_code
        and groups.stage = totals.stage
        and groups.indicator = totals.indicator
    group by groups.year, groups.county_code, groups.stage, groups.indicator

),

lorenz as (

    select
        values_.year, values_.county_code, values_.stage, values_.indicator, values_.school_id,
        values_.students, values_.value, totals.p, totals.mu,
        sum(values_.students * values_.value) over w / (totals.p * totals.mu)                   as l_i,
        (sum(values_.students * values_.value) over w - values_.students * values_.value)
            / (totals.p * totals.mu)                                                            as l_prev,
        sum(values_.students) over w                                                            as cum_students
    from values_
    inner join totals
        on values_.year = totals.year
        and values_.county_code = totals.county_code
        and values_.stage = totals.stage
        and values_.indicator = totals.indicator
    window w as (
        partition by values_.year, values_.county_code, values_.stage, values_.indicator
        order by values_.value, values_.school_id
        rows between unbounded preceding and current row
    )

),

gini as (

    select
        year, county_code, stage, indicator,
        case when any_value(mu) > 0
             then 1 - sum((students / p) * (l_prev + l_i) order by value, school_id) end    as gini
    from lorenz
    group by year, county_code, stage, indicator

),

median as (

    select year, county_code, stage, indicator, min(value) as weighted_median
    from lorenz
    -- cumulative students reach half of the total (integer arithmetic, exact)
    where 2 * cum_students >= p
    group by year, county_code, stage, indicator

),

mcloone as (

    select
        lorenz.year, lorenz.county_code, lorenz.stage, lorenz.indicator,
        any_value(median.weighted_median)                              as weighted_median,
        case when any_value(median.weighted_median) > 0
             then sum(lorenz.students * lorenz.value order by lorenz.value, lorenz.school_id)
                  / (any_value(median.weighted_median) * sum(lorenz.students))
        end                                                            as mcloone
    from lorenz
    inner join median
        on lorenz.year = median.year
        and lorenz.county_code = median.county_code
        and lorenz.stage = median.stage
        and lorenz.indicator = median.indicator
    where lorenz.value <= median.weighted_median
    group by lorenz.year, lorenz.county_code, lorenz.stage, lorenz.indicator

)

select
    spine.year,
    spine.county_code,
    spine.stage,
    spine.indicator,
    coalesce(totals.n_units, 0)                                   as n_units,
    coalesce(totals.p, 0)::bigint                                 as students,
    totals.mu                                                     as weighted_mean,
    case when totals.mu > 0 then theil.theil end                  as theil,
    case when totals.mu > 0 then decomposition.theil_between end  as theil_between,
    case when totals.mu > 0 then decomposition.theil_within end   as theil_within,
    decomposition.n_area_classes,
    case when totals.mu > 0 then gini.gini end                    as gini,
    mcloone.weighted_median,
    mcloone.mcloone

from spine
left join totals
    on spine.year = totals.year and spine.county_code = totals.county_code
    and spine.stage = totals.stage and spine.indicator = totals.indicator
left join theil
    on spine.year = theil.year and spine.county_code = theil.county_code
    and spine.stage = theil.stage and spine.indicator = theil.indicator
left join decomposition
    on spine.year = decomposition.year and spine.county_code = decomposition.county_code
    and spine.stage = decomposition.stage and spine.indicator = decomposition.indicator
left join gini
    on spine.year = gini.year and spine.county_code = gini.county_code
    and spine.stage = gini.stage and spine.indicator = gini.indicator
left join mcloone
    on spine.year = mcloone.year and spine.county_code = mcloone.county_code
    and spine.stage = mcloone.stage and spine.indicator = mcloone.indicator
