-- County rows of the government-guarantee and quality indicators computed
-- from school files: G3 (rooms), G4 (school size), G5 (class size), G9
-- (training hours), G11 (rotation), G12 (certificates), Q4 (training funds).
--
-- Per-item indicators (G3, G4, G5, G9, G12, Q4): numerator = items that meet,
-- denominator = all items, value = numerator / denominator, standard = the
-- required share (100 %). With unknown items the status is met only if the
-- known ones already reach the standard, not_met if they cannot reach it even
-- if every unknown item met, no_data otherwise (macros/county_status.sql).
--   G3  items: assessed schools (with an evaluated unit); no_data when the
--       county has no room rows (rooms file not given).
--   G4  items: schools classed by size (not special-education schools).
--   G5  items: primary and junior classes.
--   G9  items: teachers teaching primary or junior; unknown: hours missing.
--   G12 items: the same teachers; unknown: certificate missing.
--   Q4  items: assessed schools; unknown: no finance row, budget 0 or missing;
--       no_data when the county has no finance rows (finance file not given).
-- G11: value = rotated / eligible teachers (primary and junior teachers; a
-- teacher counts as rotated only if also flagged eligible), standard 10 %;
-- second_value = backbone (county level or higher) / rotated, second_standard
-- 20 %. Teachers with unknown eligibility are left out; no_data when no teacher
-- is flagged eligible or an eligible teacher's rotation flag is missing.

with

counties as (

    select year, county_code from {{ ref('int_counties') }}

),

std as (

    {{ pivot_standards([
        ('G3', 'all', 'standard', 'g3_standard'),
        ('G4', 'all', 'standard', 'g4_standard'),
        ('G5', 'all', 'standard', 'g5_standard'),
        ('G9', 'all', 'standard', 'g9_standard'),
        ('G11', 'all', 'standard', 'g11_standard'),
        ('G11', 'all', 'backbone_share_standard', 'g11_backbone_share_standard'),
        ('G12', 'all', 'standard', 'g12_standard'),
        ('Q4', 'all', 'min_school_share', 'q4_standard'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

g3 as (

    select
        year, county_code,
        count(*) filter (where status = 'met')        as n_met,
        count(*) filter (where status = 'no_data')    as n_unknown,
        count(*)                                       as n_items,
        bool_or(county_has_room_rows)                  as has_input
    from {{ ref('int_school_music_art_rooms') }}
    group by year, county_code

),

g4 as (

    select
        year, county_code,
        count(*) filter (where not over_limit)         as n_met,
        count(*) filter (where over_limit is null)     as n_unknown,
        count(*)                                       as n_items,
        sum(compulsory_students) filter (where over_limit)::bigint    as students_over
    from {{ ref('int_schools_size_classified') }}
    group by year, county_code

),

g5 as (

    select
        year, county_code,
        coalesce(sum(classes) filter (where category = 'within_standard'), 0)::bigint
                                                                      as n_met,
        0                                                             as n_unknown,
        sum(classes)::bigint                                          as n_items,
        sum(students) filter (where category <> 'within_standard')::bigint
                                                                      as students_over
    from {{ ref('int_county_class_sizes') }}
    group by year, county_code

),

-- the teachers are counted per school and compulsory stage once, in
-- int_school_stage_teacher_counts (shared with R1–R3), and summed here per county
teacher_counts as (

    select
        counts.year,
        schools.county_code,
        sum(counts.teachers)::bigint                      as teachers,
        sum(counts.training_hours_met)::bigint            as g9_met,
        sum(counts.training_hours_unknown)::bigint        as g9_unknown,
        sum(counts.certified)::bigint                     as g12_met,
        sum(counts.certificate_unknown)::bigint           as g12_unknown,
        sum(counts.rotation_eligible)::bigint             as eligible,
        sum(counts.rotation_eligible_known)::bigint       as eligible_rotation_known,
        sum(counts.rotated)::bigint                       as rotated,
        sum(counts.rotated_backbone)::bigint              as rotated_backbone
    from {{ ref('int_school_stage_teacher_counts') }} as counts
    inner join {{ ref('int_schools') }} as schools
        on counts.year = schools.year
        and counts.school_id = schools.school_id
    group by counts.year, schools.county_code

),

q4 as (

    select
        year, county_code,
        count(*) filter (where status = 'met')        as n_met,
        count(*) filter (where status = 'no_data')    as n_unknown,
        count(*)                                       as n_items,
        bool_or(county_has_finance_rows)               as has_input
    from {{ ref('int_school_teacher_training_funds') }}
    group by year, county_code

),

shares as (

    select counties.year, counties.county_code, 'G3' as indicator,
        g3.n_met, case when g3.has_input then g3.n_unknown else g3.n_items end as n_unknown,
        g3.n_items, std.g3_standard as standard, std.tolerance,
        case when not g3.has_input then 'no room rows for the county (rooms file not given)' end as note,
        'schools' as items, null::bigint as students_over
    from counties
    left join g3 on counties.year = g3.year and counties.county_code = g3.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

    union all

    select counties.year, counties.county_code, 'G4',
        g4.n_met, g4.n_unknown, g4.n_items, std.g4_standard, std.tolerance,
        null, 'schools', g4.students_over
    from counties
    left join g4 on counties.year = g4.year and counties.county_code = g4.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

    union all

    select counties.year, counties.county_code, 'G5',
        g5.n_met, g5.n_unknown, g5.n_items, std.g5_standard, std.tolerance,
        null, 'classes', g5.students_over
    from counties
    left join g5 on counties.year = g5.year and counties.county_code = g5.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

    union all

    select counties.year, counties.county_code, 'G9',
        tc.g9_met, tc.g9_unknown, tc.teachers, std.g9_standard, std.tolerance,
        null, 'teachers', null
    from counties
    left join teacher_counts as tc
        on counties.year = tc.year and counties.county_code = tc.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

    union all

    select counties.year, counties.county_code, 'G12',
        tc.g12_met, tc.g12_unknown, tc.teachers, std.g12_standard, std.tolerance,
        null, 'teachers', null
    from counties
    left join teacher_counts as tc
        on counties.year = tc.year and counties.county_code = tc.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

    union all

    select counties.year, counties.county_code, 'Q4',
        q4.n_met, case when q4.has_input then q4.n_unknown else q4.n_items end,
        q4.n_items, std.q4_standard, std.tolerance,
        case when not q4.has_input then 'no finance rows for the county (finance file not given)' end,
        'schools', null
    from counties
    left join q4 on counties.year = q4.year and counties.county_code = q4.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

),

share_rows as (

    select
        year,
        county_code,
        indicator,
        null::varchar                                                as stage,
        n_met::double                                                as numerator,
        n_items::double                                              as denominator,
        {{ safe_divide('n_met', 'n_items') }}                        as value,
        standard,
        '>='                                                         as comparison,
        null::double                                                 as second_value,
        null::double                                                 as second_standard,
        null::varchar                                                as second_comparison,
        {{ share_status('n_met', 'n_unknown', 'n_items', 'standard', 'tolerance') }}
                                                                     as status,
        concat_ws('; ',
            coalesce(n_met, 0) || ' of ' || coalesce(n_items, 0) || ' ' || items || ' meet the rule',
            case when n_unknown > 0 then n_unknown || ' ' || items || ' unknown' end,
            case when students_over > 0
                 then students_over || ' students in ' || items || ' over the limit' end,
            note
        )                                                            as detail
    from shares

),

g11 as (

    select
        counties.year,
        counties.county_code,
        'G11'                                                        as indicator,
        null::varchar                                                as stage,
        tc.rotated::double                                           as numerator,
        tc.eligible::double                                          as denominator,
        {{ safe_divide('tc.rotated', 'tc.eligible') }}              as value,
        std.g11_standard                                             as standard,
        '>='                                                         as comparison,
        {{ safe_divide('tc.rotated_backbone', 'tc.rotated') }}      as second_value,
        std.g11_backbone_share_standard                              as second_standard,
        '>='                                                         as second_comparison,
        std.tolerance,
        tc.eligible,
        tc.eligible_rotation_known,
        tc.rotated,
        tc.rotated_backbone
    from counties
    left join teacher_counts as tc
        on counties.year = tc.year and counties.county_code = tc.county_code
    left join std on counties.year = std.year and counties.county_code = std.county_code

),

g11_rows as (

    select
        year, county_code, indicator, stage, numerator, denominator, value, standard,
        comparison, second_value, second_standard, second_comparison,
        case
            when coalesce(eligible, 0) = 0 or eligible_rotation_known < eligible then 'no_data'
            when not {{ at_least('value', 'standard', 'tolerance') }} then 'not_met'
            when second_value is null then 'no_data'
            when not {{ at_least('second_value', 'second_standard', 'tolerance') }} then 'not_met'
            else 'met'
        end as status,
        case
            when coalesce(eligible, 0) = 0 then 'no teacher flagged eligible for rotation'
            else rotated || ' of ' || eligible || ' eligible teachers rotated; '
                 || coalesce(rotated_backbone, 0) || ' of them backbone teachers'
                 || case when eligible_rotation_known < eligible
                         then '; rotation unknown for ' || (eligible - eligible_rotation_known)
                              || ' eligible teachers'
                         else '' end
        end as detail
    from g11

)

select * from share_rows
union all
select * from g11_rows
