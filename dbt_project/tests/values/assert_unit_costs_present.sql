-- What: every kind of addition (seed remediation_kinds) has a unit cost for
--   every county and year (seed unit_costs, resolved in int_unit_costs_resolved).
-- When it matters: a missing price makes the remediation plan's costs null and
--   its choice of the cheapest way to pass arbitrary.
-- How to fix: add the missing row to seeds/unit_costs.csv (or widen the
--   validity years of an existing row).

select counties.year, counties.county_code, kinds.kind
from {{ ref('int_counties') }} as counties
cross join {{ ref('remediation_kinds') }} as kinds
left join {{ ref('int_unit_costs_resolved') }} as costs
    on counties.year = costs.year
    and counties.county_code = costs.county_code
    and kinds.kind = costs.kind
where costs.yuan is null
