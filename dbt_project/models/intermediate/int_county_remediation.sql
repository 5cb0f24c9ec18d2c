-- The county's remediation plan (整改) per stage, plus one `all` row per county
-- that totals the stages and adds the school-wide items:
--   * additions of the minimum plan (int_school_remediation, needed_to_pass):
--     teachers by kind (R1 qualified, R2 backbone, R3 PE / art), m² of teaching
--     space (R4) and sports ground (R5), yuan of equipment (R6), multimedia
--     rooms (R7), and the units concerned;
--   * classes to split (G5): a class of n students over its stage's limit L
--     (standards G5 max_class_size, 45 / 50) takes ceil(n / L) − 1 additional
--     classes (int_classes_classified, counted in int_county_class_sizes);
--   * `all` row only: music and art rooms missing (G3): per assessed school,
--     max(0, required rooms − adequate rooms) of each type
--     (int_school_music_art_rooms; null when the county gave no room rows), and
--     schools over the size limits with their students over the limit (G4,
--     int_schools_size_classified);
--   * estimated cost at the unit costs (int_unit_costs_resolved): teachers per
--     teacher-year (estimated_cost_per_year), the rest once
--     (estimated_cost_one_time); estimated_cost = both (the first year).
--     Additions and costs are exact decimals (sums of the units' exact
--     additions and costs: the same totals on every run);
--     Students over the size limits are not costed (moving them or building a
--     school is a decision of its own);
--   * the R1–R7 CVs after the additions (int_county_cv_after_remediation) beside
--     those before, against the same limit; resource_status_after: not_met when
--     a CV stays over its limit, else no_data when a failing unit's plan depends
--     on missing data or a CV has no data, else met (every evaluated unit then
--     passes by construction of the plan).
-- The `all` row is the county total: do not add it to the stage rows.

{%- set resource_indicators = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7'] %}
{%- set plan_kinds = [
    ('qualified_teacher', 'add_qualified_teachers'),
    ('backbone_teacher', 'add_backbone_teachers'),
    ('pe_art_teacher', 'add_pe_art_teachers'),
    ('teaching_space', 'add_teaching_space_m2'),
    ('sports_ground', 'add_sports_ground_m2'),
    ('equipment', 'add_equipment_yuan'),
    ('multimedia_room', 'add_multimedia_rooms'),
] %}
{#- columns of the stage rows that the `all` row sums -#}
{%- set summed = ['evaluated_units', 'failing_units', 'units_with_additions', 'units_depending_on_missing_data']
    + plan_kinds | map(attribute=1) | list
    + ['add_teachers', 'oversize_classes', 'students_in_oversize_classes', 'additional_classes',
       'cost_resource_additions', 'cost_additional_classes', 'cost_resource_per_year',
       'cost_resource_one_time', 'cost_all_to_standard',
       'cv_checks', 'cvs_over_limit_before', 'cvs_over_limit_after', 'cvs_no_data_after'] %}

with

counties as (

    select year, county_code from {{ ref('int_counties') }}

),

stage_spine as (

    select distinct year, county_code, stage from {{ ref('int_school_stage_units') }}
    union
    select distinct year, county_code, stage from {{ ref('int_county_class_sizes') }}

),

costs as (

    select * from {{ ref('int_unit_costs_resolved') }}

),

unit_costs as (

    select
        year,
        county_code,
        max(yuan) filter (where kind = 'music_room')          as music_room_cost,
        max(yuan) filter (where kind = 'art_room')            as art_room_cost,
        max(yuan) filter (where kind = 'additional_class')    as additional_class_cost
    from costs
    group by year, county_code

),

units as (

    select
        year,
        county_code,
        stage,
        count(*) filter (where evaluated)                                     as evaluated_units,
        count(*) filter (where evaluated and not passes)                      as failing_units,
        count(*) filter (where evaluated and not passes and no_data_count > 0)
                                                                              as units_depending_on_missing_data
    from {{ ref('int_school_stage_summary') }}
    group by year, county_code, stage

),

plan as (

    select
        remediation.year,
        remediation.county_code,
        remediation.stage,
        count(distinct remediation.school_id) filter (where remediation.needed_to_pass)
                                                                              as units_with_additions,
        {%- for kind, column in plan_kinds %}
        coalesce(sum(remediation.addition) filter (
            where remediation.needed_to_pass and remediation.kind = '{{ kind }}'), 0)
                                                                              as {{ column }},
        {%- endfor %}
        coalesce(sum(remediation.addition) filter (
            where remediation.needed_to_pass and remediation.unit = 'people'), 0)
                                                                              as add_teachers,
        coalesce(sum(remediation.estimated_cost) filter (where remediation.needed_to_pass), 0)
                                                                              as cost_resource_additions,
        coalesce(sum(remediation.estimated_cost) filter (
            where remediation.needed_to_pass and remediation.cost_basis = 'per_year'), 0)
                                                                              as cost_resource_per_year,
        coalesce(sum(remediation.estimated_cost) filter (
            where remediation.needed_to_pass and remediation.cost_basis = 'one_time'), 0)
                                                                              as cost_resource_one_time,
        coalesce(sum(remediation.cost_to_standard), 0)                        as cost_all_to_standard

    from {{ ref('int_school_remediation') }} as remediation
    group by remediation.year, remediation.county_code, remediation.stage

),

classes as (

    select
        year,
        county_code,
        stage,
        sum(classes_over_standard)::bigint                                    as oversize_classes,
        sum(students_over_standard)                                           as students_in_oversize_classes,
        sum(additional_classes)                                               as additional_classes
    from {{ ref('int_county_class_sizes') }}
    group by year, county_code, stage

),

cv as (

    select
        year,
        county_code,
        stage,
        max(cv_limit)                                                         as cv_limit,
        {%- for code in resource_indicators %}
        max(cv_before) filter (where indicator = '{{ code }}')               as {{ code | lower }}_cv_before,
        max(cv_after) filter (where indicator = '{{ code }}')                as {{ code | lower }}_cv_after,
        max(status_after) filter (where indicator = '{{ code }}')            as {{ code | lower }}_status_after,
        {%- endfor %}
        count(*)                                                              as cv_checks,
        count(*) filter (where status_before = 'not_met')                     as cvs_over_limit_before,
        count(*) filter (where status_after = 'not_met')                      as cvs_over_limit_after,
        count(*) filter (where status_after = 'no_data')                      as cvs_no_data_after,
        string_agg(indicator, ',' order by indicator) filter (where status_after = 'not_met')
                                                                              as cv_indicators_over_limit_after
    from {{ ref('int_county_cv_after_remediation') }}
    group by year, county_code, stage

),

by_stage as (

    select
        stage_spine.year,
        stage_spine.county_code,
        stage_spine.stage,
        coalesce(units.evaluated_units, 0)                                    as evaluated_units,
        coalesce(units.failing_units, 0)                                      as failing_units,
        coalesce(plan.units_with_additions, 0)                                as units_with_additions,
        coalesce(units.units_depending_on_missing_data, 0)                    as units_depending_on_missing_data,
        {%- for kind, column in plan_kinds %}
        coalesce(plan.{{ column }}, 0)                                        as {{ column }},
        {%- endfor %}
        coalesce(plan.add_teachers, 0)                                        as add_teachers,
        coalesce(classes.oversize_classes, 0)                                 as oversize_classes,
        coalesce(classes.students_in_oversize_classes, 0)                     as students_in_oversize_classes,
        coalesce(classes.additional_classes, 0)                               as additional_classes,
        coalesce(plan.cost_resource_additions, 0)                             as cost_resource_additions,
        coalesce(classes.additional_classes, 0) * unit_costs.additional_class_cost
                                                                              as cost_additional_classes,
        coalesce(plan.cost_resource_per_year, 0)                              as cost_resource_per_year,
        coalesce(plan.cost_resource_one_time, 0)                              as cost_resource_one_time,
        coalesce(plan.cost_all_to_standard, 0)                                as cost_all_to_standard,
        cv.cv_limit,
        {%- for code in resource_indicators %}
        cv.{{ code | lower }}_cv_before,
        cv.{{ code | lower }}_cv_after,
        cv.{{ code | lower }}_status_after,
        {%- endfor %}
        coalesce(cv.cv_checks, 0)                                             as cv_checks,
        coalesce(cv.cvs_over_limit_before, 0)                                 as cvs_over_limit_before,
        coalesce(cv.cvs_over_limit_after, 0)                                  as cvs_over_limit_after,
        coalesce(cv.cvs_no_data_after, 0)                                     as cvs_no_data_after,
        cv.cv_indicators_over_limit_after

    from stage_spine
    left join units
        on stage_spine.year = units.year
        and stage_spine.county_code = units.county_code
        and stage_spine.stage = units.stage
    left join plan
        on stage_spine.year = plan.year
        and stage_spine.county_code = plan.county_code
        and stage_spine.stage = plan.stage
    left join classes
        on stage_spine.year = classes.year
        and stage_spine.county_code = classes.county_code
        and stage_spine.stage = classes.stage
    left join cv
        on stage_spine.year = cv.year
        and stage_spine.county_code = cv.county_code
        and stage_spine.stage = cv.stage
    left join unit_costs
        on stage_spine.year = unit_costs.year
        and stage_spine.county_code = unit_costs.county_code

),

rooms as (

    select
        year,
        county_code,
        bool_or(county_has_room_rows)                                         as has_room_rows,
        count(*) filter (where status = 'not_met')                            as schools_missing_rooms,
        sum(greatest(required_rooms - adequate_music_rooms, 0))               as music_rooms_missing,
        sum(greatest(required_rooms - adequate_art_rooms, 0))                 as art_rooms_missing
    from {{ ref('int_school_music_art_rooms') }}
    group by year, county_code

),

sizes as (

    select
        year,
        county_code,
        count(*) filter (where over_limit)                                    as oversize_schools,
        coalesce(sum(excess) filter (where over_limit), 0)                    as students_over_size_limits
    from {{ ref('int_schools_size_classified') }}
    group by year, county_code

),

stage_totals as (

    select
        year,
        county_code,
        {%- for column in summed %}
        sum({{ column }})                                                     as {{ column }},
        {%- endfor %}
        string_agg(stage || ': ' || cv_indicators_over_limit_after, '; ' order by stage desc)
            filter (where cv_indicators_over_limit_after is not null)         as cv_indicators_over_limit_after
    from by_stage
    group by year, county_code

),

county_total as (

    select
        counties.year,
        counties.county_code,
        'all'                                                                 as stage,
        {%- for column in summed %}
        coalesce(stage_totals.{{ column }}, 0)                                as {{ column }},
        {%- endfor %}
        stage_totals.cv_indicators_over_limit_after,
        -- a county whose assessed schools gave no room row: unknown (G3 no_data)
        case when coalesce(rooms.has_room_rows, true) then coalesce(rooms.music_rooms_missing, 0) end
                                                                              as music_rooms_missing,
        case when coalesce(rooms.has_room_rows, true) then coalesce(rooms.art_rooms_missing, 0) end
                                                                              as art_rooms_missing,
        case when coalesce(rooms.has_room_rows, true) then coalesce(rooms.schools_missing_rooms, 0) end
                                                                              as schools_missing_rooms,
        coalesce(sizes.oversize_schools, 0)                                   as oversize_schools,
        coalesce(sizes.students_over_size_limits, 0)                          as students_over_size_limits,
        case when coalesce(rooms.has_room_rows, true) then
            coalesce(rooms.music_rooms_missing, 0) * unit_costs.music_room_cost
            + coalesce(rooms.art_rooms_missing, 0) * unit_costs.art_room_cost
        end                                                                   as cost_music_art_rooms

    from counties
    left join stage_totals
        on counties.year = stage_totals.year
        and counties.county_code = stage_totals.county_code
    left join rooms
        on counties.year = rooms.year
        and counties.county_code = rooms.county_code
    left join sizes
        on counties.year = sizes.year
        and counties.county_code = sizes.county_code
    left join unit_costs
        on counties.year = unit_costs.year
        and counties.county_code = unit_costs.county_code

),

unioned as (

    select
        year,
        county_code,
        stage,
        {%- for column in summed %}
        {{ column }},
        {%- endfor %}
        null::bigint                  as music_rooms_missing,
        null::bigint                  as art_rooms_missing,
        null::bigint                  as schools_missing_rooms,
        null::bigint                  as oversize_schools,
        null::bigint                  as students_over_size_limits,
        null::decimal(18, 2)          as cost_music_art_rooms,
        cv_limit,
        {%- for code in resource_indicators %}
        {{ code | lower }}_cv_before,
        {{ code | lower }}_cv_after,
        {{ code | lower }}_status_after,
        {%- endfor %}
        cv_indicators_over_limit_after
    from by_stage

    union all

    select
        year,
        county_code,
        stage,
        {%- for column in summed %}
        {{ column }},
        {%- endfor %}
        music_rooms_missing,
        art_rooms_missing,
        schools_missing_rooms,
        oversize_schools,
        students_over_size_limits,
        cost_music_art_rooms,
        null::double                  as cv_limit,
        {%- for code in resource_indicators %}
        null::double                  as {{ code | lower }}_cv_before,
        null::double                  as {{ code | lower }}_cv_after,
        null::varchar                 as {{ code | lower }}_status_after,
        {%- endfor %}
        cv_indicators_over_limit_after
    from county_total

)

select
    year,
    county_code,
    stage,
    evaluated_units::bigint                                             as evaluated_units,
    failing_units::bigint                                               as failing_units,
    units_with_additions::bigint                                        as units_with_additions,
    units_depending_on_missing_data::bigint                             as units_depending_on_missing_data,
    {%- for kind, column in plan_kinds %}
    {{ column }}::decimal(18, 2)                                        as {{ column }},
    {%- endfor %}
    add_teachers::decimal(18, 2)                                        as add_teachers,
    oversize_classes::bigint                                            as oversize_classes,
    students_in_oversize_classes::bigint                                as students_in_oversize_classes,
    additional_classes::bigint                                          as additional_classes,
    music_rooms_missing::bigint                                         as music_rooms_missing,
    art_rooms_missing::bigint                                           as art_rooms_missing,
    schools_missing_rooms::bigint                                       as schools_missing_rooms,
    oversize_schools::bigint                                            as oversize_schools,
    students_over_size_limits::bigint                                   as students_over_size_limits,
    cost_resource_additions::decimal(18, 2)                             as cost_resource_additions,
    cost_additional_classes::decimal(18, 2)                             as cost_additional_classes,
    cost_music_art_rooms::decimal(18, 2)                                as cost_music_art_rooms,
    cost_resource_per_year::decimal(18, 2)                              as estimated_cost_per_year,
    (cost_resource_one_time + coalesce(cost_additional_classes, 0) + coalesce(cost_music_art_rooms, 0))
        ::decimal(18, 2)                                                as estimated_cost_one_time,
    (cost_resource_additions + coalesce(cost_additional_classes, 0) + coalesce(cost_music_art_rooms, 0))
        ::decimal(18, 2)                                                as estimated_cost,
    cost_all_to_standard::decimal(18, 2)                                as cost_all_to_standard,
    cv_limit,
    {%- for code in resource_indicators %}
    {{ code | lower }}_cv_before,
    {{ code | lower }}_cv_after,
    {{ code | lower }}_status_after,
    {%- endfor %}
    cv_checks::bigint                                                   as cv_checks,
    cvs_over_limit_before::bigint                                       as cvs_over_limit_before,
    cvs_over_limit_after::bigint                                        as cvs_over_limit_after,
    cv_indicators_over_limit_after,
    case
        when cv_checks = 0 and stage <> 'all' then null
        when cvs_over_limit_after > 0 then 'not_met'
        when cv_checks = 0 or cvs_no_data_after > 0 or units_depending_on_missing_data > 0 then 'no_data'
        else 'met'
    end                                                                       as resource_status_after

from unioned
