{#
    The coefficient of variation between schools (校际差异系数), shared by
    int_county_cv (the census values) and int_county_cv_after_remediation (the
    values as if the minimum additions of the remediation plan were made).

    `units` names a relation or CTE with one row per unit taking part: the
    `group_by` columns, `order_by` (a key unique within a group, the school),
    `students` (Pi) and `value` (Xi, not null), already restricted to the units
    that count (evaluated, value known). Per group:

        mean = Σ Pi·Xi / P,  sd = sqrt(Σ Pi·(Xi − mean)² / P),  CV = sd / mean,

    and the unweighted CV (population form, divide by n) beside it. One unit →
    CV 0; a mean of 0 → null (no_data). Groups without any unit yield no row: the
    caller's spine left-joins this and treats a missing row as no_data.

    Every floating-point sum adds a group's units in `order_by` order (the units
    are gathered into one sorted list per group): a plain sum() adds them in the
    order the threads deliver them, which changes the last bits of a CV from one
    run to the next. One list serves both passes (means, then deviations).
    Returns a select (usable as a CTE body) of the group columns, n_units,
    students, weighted_mean, unweighted_mean, weighted_sd, unweighted_sd, cv,
    cv_unweighted.
#}
{% macro cv_statistics(units, group_by=['year', 'county_code', 'stage', 'indicator'], order_by='school_id') -%}
    {%- set keys = group_by | join(', ') -%}
    with

    cv_units as (

        select
            {{ keys }},
            count(*)                                                             as n_units,
            sum(students)                                                        as students,
            list({'students': students, 'value': value} order by {{ order_by }})  as units

        from {{ units }}
        group by {{ keys }}

    ),

    cv_moments as (

        select
            *,
            list_sum([u.students * u.value for u in units]) / students          as weighted_mean,
            list_avg([u.value for u in units])                                  as unweighted_mean

        from cv_units

    ),

    cv_deviations as (

        select
            *,
            sqrt(list_sum([u.students * power(u.value - weighted_mean, 2) for u in units]) / students)
                                                                                as weighted_sd,
            sqrt(list_avg([power(u.value - unweighted_mean, 2) for u in units]))   as unweighted_sd

        from cv_moments

    )

    select
        {{ keys }},
        n_units,
        students,
        weighted_mean,
        unweighted_mean,
        weighted_sd,
        unweighted_sd,
        case
            when weighted_mean = 0 then null
            when n_units = 1 then 0.0
            else weighted_sd / weighted_mean
        end                                           as cv,
        case
            when unweighted_mean = 0 then null
            when n_units = 1 then 0.0
            else unweighted_sd / unweighted_mean
        end                                           as cv_unweighted

    from cv_deviations
{%- endmacro %}
