{#
    What: every row's (columns) exists in `to` (same column names there unless
    `to_columns` is given), e.g. (year, school_id) of an indicator row exists
    in dim_school for that year.
    When it matters: an orphan row belongs to no school or county of its year
    and silently drops out of rollups.
    How to fix: the failing rows give the orphan keys; check the upstream join.
    How: an ANTI JOIN (rows of the model without a match in `to`), the same rows
    as NOT EXISTS: DuckDB plans a correlated NOT EXISTS as a delim join that first
    copies every column of every child row (2 s for the 10.7 M teachers of a nation
    year, against 0.2 s for the anti join).
#}
{% test relationships_multi(model, columns, to, to_columns=none, column_name=none) %}
    {%- set to_columns = to_columns or columns -%}
    select child.*
    from {{ model }} as child
    anti join {{ to }} as parent
        on
        {%- for c in columns %}
            parent.{{ to_columns[loop.index0] }} = child.{{ c }}{{ ' and' if not loop.last }}
        {%- endfor %}
    where
    {%- for c in columns %}
        child.{{ c }} is not null{{ ' and' if not loop.last }}
    {%- endfor %}
{% endtest %}
