{#
    What: no two rows share the same combination of the given columns (nulls
    compare equal, as in GROUP BY).
    When it matters: a duplicated key double-counts students or units in every
    county figure built on the table.
    How to fix: find the duplicated key in the failing rows and trace it to the
    join that fanned out (or to a duplicate that passed ingestion).
    How: a GROUP BY over every key is a hash table of one entry per row (10.7 M
    for the teachers of a nation year, 2 s). Sorting the keys' 64-bit hashes and
    comparing neighbours costs about half that and finds every duplicated key (two
    equal keys have equal hashes); only the rows whose hash is repeated, none in
    a clean table, are then grouped by the keys themselves, so a hash collision of
    two different keys is never reported. The failing rows are those of the plain
    GROUP BY ... HAVING count(*) > 1.
#}
{% test unique_combination_of_columns(model, combination_of_columns, column_name=none) %}
    {%- set columns = combination_of_columns | join(', ') %}
    with

    key_hashes as (
        select hash({{ columns }}) as key_hash
        from {{ model }}
    ),

    repeated_hashes as (
        select key_hash
        from (
            select key_hash, lag(key_hash) over (order by key_hash) as previous_hash
            from key_hashes
        )
        where key_hash = previous_hash
    )

    select
        {{ columns }},
        count(*) as n_rows
    from {{ model }}
    where hash({{ columns }}) in (select key_hash from repeated_hashes)
    group by {{ columns }}
    having count(*) > 1
{% endtest %}
