{#
    County status of a "share of items" indicator (share of schools, classes or
    teachers that meet a per-item rule, against a standard share, usually 100 %),
    when some items may be unknown:
      worst case = met / items, best case = (met + unknown) / items;
      met      when the worst case reaches the standard,
      not_met  when even the best case falls short,
      no_data  otherwise, or when there is no item.
#}
{% macro share_status(n_met, n_unknown, n_items, standard, tolerance) -%}
    case
        when coalesce({{ n_items }}, 0) = 0 or {{ standard }} is null then 'no_data'
        when {{ at_least(n_met ~ '::double / ' ~ n_items, standard, tolerance) }} then 'met'
        when not {{ at_least('(' ~ n_met ~ ' + ' ~ n_unknown ~ ')::double / ' ~ n_items, standard, tolerance) }}
            then 'not_met'
        else 'no_data'
    end
{%- endmacro %}
