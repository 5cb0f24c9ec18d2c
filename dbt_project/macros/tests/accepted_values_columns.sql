{#
    What: each given column holds only its listed values (nulls pass, as in
    dbt's accepted_values): the columns' `accepted_values` tests in one test.
    Why one test and not one per column: a dbt test costs some 70 ms of dbt
    and Dagster overhead in every run (the test, its asset-check events),
    whatever the table; a mart with nine coded columns paid it nine times.
    When it matters: an unknown code falls out of every CASE and count that
    lists the codes (a status neither met nor not_met is counted nowhere).
    How to fix: the failing rows give the column, the unexpected value and
    how many rows carry it; trace the value to the model that produced it.
#}
{% test accepted_values_columns(model, columns, column_name=none) %}
    {%- for column, values in columns.items() %}
    select
        '{{ column }}' as column_name,
        cast({{ column }} as varchar) as value_field,
        count(*) as n_records
    from {{ model }}
    where {{ column }} not in (
        {%- for value in values -%}
        '{{ value }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
    group by {{ column }}
    {{ 'union all' if not loop.last }}
    {%- endfor %}
{% endtest %}
