{#
    What: the column is a key of the table: no row has it null and no value is
    in two rows (dbt's `unique` and `not_null` on the column, in one test).
    Why one test and not two: a dbt test costs some 20 ms of dbt's own work in
    every run whatever the table, and the code lists of the seeds paid it twice
    per key for a few rows.
    When it matters: the code lists are joined on their key; a repeated code
    fans out every join on it, a null one matches nothing.
    How to fix: the failing rows give the repeated (or null) value and how many
    rows carry it; correct the seed.
#}
{% test primary_key(model, column_name) %}
    select
        {{ column_name }} as key_value,
        count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{% endtest %}
