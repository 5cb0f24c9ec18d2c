{#
    What: no two rows share the same combination of the given columns (nulls
    compare equal, as in GROUP BY).
    When it matters: a duplicated key double-counts students or units in every
    county figure built on the table.
    How to fix: find the duplicated key in the failing rows and trace it to the
    join that fanned out (or to a duplicate that passed ingestion).
#}
{% test unique_combination_of_columns(model, combination_of_columns, column_name=none) %}
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
{% endtest %}
