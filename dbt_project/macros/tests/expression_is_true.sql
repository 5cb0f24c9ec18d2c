{#
    What: a boolean SQL expression holds on every row (use the test's `where`
    config to restrict the rows).
    When it matters: identities and ranges of computed values (a ratio is
    value / standard, a share lies in [0, 1], Theil = between + within).
    How to fix: the failing rows show the values; the YAML description of the
    column states the rule the expression checks.
#}
{% test expression_is_true(model, expression, column_name=none) %}
    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)
{% endtest %}
