{#
    Helpers that read the `standards` seed (resolved per county and year in
    int_standards_resolved). No threshold is ever written in model SQL: a model
    names the (indicator, scope, parameter) it needs and gets its value here.
#}

{#
    A select of one row per (year, county_code) with one column per requested
    standard. `items` is a list of (indicator, scope, parameter, column_alias).
#}
{% macro pivot_standards(items) -%}
    select
        year,
        county_code
        {%- for indicator, scope, parameter, alias in items %},
        max(value) filter (
            where indicator = '{{ indicator }}'
              and scope = '{{ scope }}'
              and parameter = '{{ parameter }}'
        ) as {{ alias }}
        {%- endfor %}
    from {{ ref('int_standards_resolved') }}
    group by year, county_code
{%- endmacro %}


{#
    Comparisons against a standard or a limit. Statuses are decided on full
    precision values; the relative tolerance (standards: ALL / all /
    comparison_tolerance, 1e-9) only absorbs binary floating-point
    representation error, so that a value exactly at its standard in decimal
    arithmetic (4.2 teachers per 100 students, a CV of 0.45) is met.
#}
{% macro at_least(value, standard, tolerance) -%}
    ({{ value }} >= {{ standard }} - {{ tolerance }} * abs({{ standard }}))
{%- endmacro %}

{% macro at_most(value, limit, tolerance) -%}
    ({{ value }} <= {{ limit }} + {{ tolerance }} * abs({{ limit }}))
{%- endmacro %}


{#
    met / not_met / no_data from a value, its standard and the direction.
#}
{% macro status_at_least(value, standard, tolerance) -%}
    case
        when {{ value }} is null or {{ standard }} is null then 'no_data'
        when {{ at_least(value, standard, tolerance) }} then 'met'
        else 'not_met'
    end
{%- endmacro %}

{% macro status_at_most(value, limit, tolerance) -%}
    case
        when {{ value }} is null or {{ limit }} is null then 'no_data'
        when {{ at_most(value, limit, tolerance) }} then 'met'
        else 'not_met'
    end
{%- endmacro %}


{#
    Division that yields null instead of an error or infinity when the
    denominator is 0 or null.
#}
{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }})::double / nullif(({{ denominator }})::double, 0)
{%- endmacro %}
