{#
    county_summary rolled up to a coarser area (city_code or province_code):
    counts of counties by verdict and sums of the county counts. A held-back
    county (blocked) counts with the figures of its last good load, and one
    without any adds nothing to the sums: counties_blocked and
    counties_blocked_without_data say how many of the area's counties that is,
    oldest_data_as_of the earliest load a held-back county's figures rest on.
#}
{% macro rollup_county_summary(area_column) -%}
select
    year,
    {{ area_column }},
    count(*)                                                      as counties,
    count(*) filter (where overall = 'met')                       as counties_met,
    count(*) filter (where overall = 'not_met')                   as counties_not_met,
    count(*) filter (where overall = 'incomplete')                as counties_incomplete,
    count(*) filter (where resource_met = 'met')                  as counties_resource_met,
    count(*) filter (where resource_met = 'not_met')              as counties_resource_not_met,
    count(*) filter (where veto)                                  as counties_with_veto,
    count(*) filter (where blocked)                               as counties_blocked,
    count(*) filter (where blocked and schools = 0)               as counties_blocked_without_data,
    min(data_as_of)                                               as oldest_data_as_of,
    sum(schools)::bigint                                          as schools,
    sum(students)::bigint                                         as students,
    sum(units)::bigint                                            as units,
    sum(evaluated_units)::bigint                                  as evaluated_units,
    sum(passing_units)::bigint                                    as passing_units,
    sum(passing_units)::double / nullif(sum(evaluated_units), 0)  as passing_unit_share,
    sum(cv_checks)::bigint                                        as cv_checks,
    sum(cv_within_limits)::bigint                                 as cv_within_limits,
    sum(oversize_classes)::bigint                                 as oversize_classes,
    sum(students_in_oversize_classes)::bigint                     as students_in_oversize_classes,
    sum(large_classes)::bigint                                    as large_classes,
    sum(students_in_large_classes)::bigint                        as students_in_large_classes,
    sum(super_large_classes)::bigint                              as super_large_classes,
    sum(students_in_super_large_classes)::bigint                  as students_in_super_large_classes,
    sum(oversize_schools)::bigint                                 as oversize_schools,
    sum(students_in_oversize_schools)::bigint                     as students_in_oversize_schools
from {{ ref('county_summary') }}
group by year, {{ area_column }}
{%- endmacro %}
