{#
    The coefficient of variation between schools (校际差异系数), shared by
    int_county_cv (the census values) and int_county_cv_after_remediation (the
    values as if the minimum additions of the remediation plan were made).

    `units` names a relation or CTE with one row per unit taking part: the
    `group_by` columns, `students` (Pi) and `value` (Xi, not null), already
    restricted to the units that count (evaluated, value known). Per group:

        mean = Σ Pi·Xi / P,  sd = sqrt(Σ Pi·(Xi − mean)² / P),  CV = sd / mean,

    and the unweighted CV (population form, divide by n) beside it. One unit →
    CV 0; a mean of 0 → null (no_data). Groups without any unit yield no row: the
    caller's spine left-joins this and treats a missing row as no_data.
    Returns a select (usable as a CTE body) of the group columns, n_units,
    students, weighted_mean, unweighted_mean, weighted_sd, unweighted_sd, cv,
    cv_unweighted.
#}
{% macro cv_statistics(units, group_by=['year', 'county_code', 'stage', 'indicator']) -%}
    {%- set keys = group_by | join(', ') -%}
    with

    cv_moments as (

        select
            {{ keys }},
            count(*)                                        as n_units,
            sum(students)                                   as students,
            sum(students * value) / sum(students)           as weighted_mean,
            avg(value)                                      as unweighted_mean

        from {{ units }}
        group by {{ keys }}

    ),

    cv_deviations as (

        select
            {%- for key in group_by %}
            cv_units.{{ key }},
            {%- endfor %}
            sqrt(sum(cv_units.students * power(cv_units.value - cv_moments.weighted_mean, 2))
                 / sum(cv_units.students))                                 as weighted_sd,
            sqrt(avg(power(cv_units.value - cv_moments.unweighted_mean, 2)))  as unweighted_sd

        from {{ units }} as cv_units
        inner join cv_moments
            on {% for key in group_by %}cv_units.{{ key }} = cv_moments.{{ key }}{{ '\n            and ' if not loop.last }}{% endfor %}
        group by {% for key in group_by %}cv_units.{{ key }}{{ ', ' if not loop.last }}{% endfor %}

    )

    select
        cv_moments.*,
        cv_deviations.weighted_sd,
        cv_deviations.unweighted_sd,
        case
            when cv_moments.weighted_mean = 0 then null
            when cv_moments.n_units = 1 then 0.0
            else cv_deviations.weighted_sd / cv_moments.weighted_mean
        end                                           as cv,
        case
            when cv_moments.unweighted_mean = 0 then null
            when cv_moments.n_units = 1 then 0.0
            else cv_deviations.unweighted_sd / cv_moments.unweighted_mean
        end                                           as cv_unweighted

    from cv_moments
    inner join cv_deviations
        on {% for key in group_by %}cv_moments.{{ key }} = cv_deviations.{{ key }}{{ '\n        and ' if not loop.last }}{% endfor %}
{%- endmacro %}
