-- What: the `all` row of county_remediation equals the sum of the county's
--   stage rows for every addition, count and cost of the stages, and its
--   additions equal the needed_to_pass rows of school_remediation.
-- When it matters: the county total is what the bureau budgets; it must agree
--   with the stage rows and with the list of schools.
-- How to fix: recompute the failing county's figures from school_remediation.

{%- set columns = ['evaluated_units', 'failing_units', 'units_with_additions', 'add_qualified_teachers',
                   'add_backbone_teachers', 'add_pe_art_teachers', 'add_teaching_space_m2', 'add_sports_ground_m2',
                   'add_equipment_yuan', 'add_multimedia_rooms', 'oversize_classes', 'additional_classes',
                   'cost_resource_additions', 'cost_additional_classes', 'estimated_cost_per_year',
                   'cv_checks', 'cvs_over_limit_after'] %}

with

run_years as (

    select distinct year from {{ ref('int_schools') }}

),

stages as (

    select
        year, county_code,
        {%- for column in columns %}
        sum({{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('county_remediation') }}
    where stage <> 'all'
    group by year, county_code

),

plan as (

    select year, county_code, sum(estimated_cost) as cost, count(distinct school_id || '/' || stage) as units
    from {{ ref('school_remediation') }}
    where needed_to_pass
    group by year, county_code

)

select t.year, t.county_code
from {{ ref('county_remediation') }} as t
left join stages on t.year = stages.year and t.county_code = stages.county_code
left join plan on t.year = plan.year and t.county_code = plan.county_code
where t.stage = 'all'
  and t.year in (select year from run_years)
  and (
    {%- for column in columns %}
    abs(t.{{ column }} - coalesce(stages.{{ column }}, 0)) > 1e-6 * greatest(abs(t.{{ column }}), 1) or
    {%- endfor %}
    abs(t.cost_resource_additions - coalesce(plan.cost, 0)) > 1e-6 * greatest(t.cost_resource_additions, 1)
    or t.units_with_additions <> coalesce(plan.units, 0)
  )
