{#
    What: none of the given columns is null, in any row: the columns' `not_null`
    tests in one scan of the table (each failing row names its null columns).
    Why one test and not one per column: a dbt test costs some 30 ms of dbt and
    Dagster overhead whatever the table, and a full scan of it at nation size;
    a model with eight required columns paid both eight times in every run.
    When it matters: a null key or status drops the row from every join and
    count built on the table.
    How to fix: `null_columns` of the failing rows says which value is missing;
    trace it to the join or CASE that produced it.
#}
{% test not_null_columns(model, columns, column_name=none) %}
    select
        {{ columns | join(', ') }},
        concat_ws(', '
            {%- for c in columns %}, case when {{ c }} is null then '{{ c }}' end{% endfor -%}
        ) as null_columns
    from {{ model }}
    where
        {%- for c in columns %}
        {{ c }} is null{{ ' or' if not loop.last }}
        {%- endfor %}
{% endtest %}
