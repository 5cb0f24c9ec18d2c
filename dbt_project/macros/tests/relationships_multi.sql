{#
    What: every row's (columns) exists in `to` (same column names there unless
    `to_columns` is given), e.g. (year, school_id) of an indicator row exists
    in dim_school for that year.
    When it matters: an orphan row belongs to no school or county of its year
    and silently drops out of rollups.
    How to fix: the failing rows give the orphan keys; check the upstream join.
#}
{% test relationships_multi(model, columns, to, to_columns=none, column_name=none) %}
    {%- set to_columns = to_columns or columns -%}
    select child.*
    from {{ model }} as child
    where not exists (
        select 1
        from {{ to }} as parent
        where
            {%- for c in columns %}
            parent.{{ to_columns[loop.index0] }} = child.{{ c }}{{ ' and' if not loop.last }}
            {%- endfor %}
    )
    {%- for c in columns %}
    and child.{{ c }} is not null
    {%- endfor %}
{% endtest %}
