-- County rows of the indicators that come from the county file (county.csv):
--   G6  schools under 100 students funded as if 100: flag (1 = yes), standard 1
--   G7  special-education funding per student (yuan) ≥ 6000
--   G8  teacher average salary / civil-servant average salary ≥ 1
--   G13 nearby-enrolment share, one row per stage: primary ≥ 100 %, junior ≥ 95 %
--       (the file gives percents; values here are fractions)
--   G14 quality senior-high quota allocated / quota total ≥ 50 %
--   G15 migrant children in public (or purchased) schools / eligible ≥ 85 %
--   Q1  junior three-year retention = graduates / (initial cohort + transfers in
--       − transfers out − deaths) ≥ 95 %; all five inputs are required
--   Q2  disabled children enrolled / disabled children ≥ 95 %
--   Q9  quality composite ≥ 0.5 (value) and between-school CV of quality ≤ 0.15
--       (second_value): met when both hold, not_met when a known part fails
--   S1  satisfied / valid questionnaires ≥ 85 %
--   V   one-vote veto: value 1 when a veto item is listed (not_met), 0 when the
--       county row has none (met)
-- Every indicator is no_data when the county has no row in the county file
-- for the year, or when one of its inputs is missing, or its denominator is 0.
-- Standards from the standards seed (indicator / all or stage / standard).

with

counties as (

    select year, county_code from {{ ref('int_counties') }}

),

county_file as (

    select * from {{ ref('stg_census__county') }}

),

std as (

    {{ pivot_standards([
        ('G6', 'all', 'standard', 'g6'),
        ('G7', 'all', 'standard', 'g7'),
        ('G8', 'all', 'standard', 'g8'),
        ('G13', 'primary', 'standard', 'g13_primary'),
        ('G13', 'junior', 'standard', 'g13_junior'),
        ('G14', 'all', 'standard', 'g14'),
        ('G15', 'all', 'standard', 'g15'),
        ('Q1', 'all', 'standard', 'q1'),
        ('Q2', 'all', 'standard', 'q2'),
        ('Q9', 'all', 'standard', 'q9'),
        ('Q9', 'all', 'max_between_school_cv', 'q9_max_cv'),
        ('S1', 'all', 'standard', 's1'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

joined as (

    select
        counties.year,
        counties.county_code,
        county_file.county_code is not null    as has_county_row,
        county_file.* exclude (year, county_code),
        std.* exclude (year, county_code)
    from counties
    left join county_file
        on counties.year = county_file.year
        and counties.county_code = county_file.county_code
    left join std
        on counties.year = std.year
        and counties.county_code = std.county_code

),

ratios as (

    -- indicator, stage, numerator, denominator, value, standard, missing inputs
    select year, county_code, has_county_row, tolerance, 'G6' as indicator, null::varchar as stage,
        null::double as numerator, null::double as denominator,
        case when small_school_funded_as_100 then 1.0
             when not small_school_funded_as_100 then 0.0 end as value,
        g6 as standard,
        case when small_school_funded_as_100 is null then 'small_school_funded_as_100' end as missing
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G7', null,
        null, null, special_ed_funding_per_student_yuan, g7,
        case when special_ed_funding_per_student_yuan is null then 'special_ed_funding_per_student_yuan' end
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G8', null,
        teacher_avg_salary_yuan, civil_servant_avg_salary_yuan,
        {{ safe_divide('teacher_avg_salary_yuan', 'civil_servant_avg_salary_yuan') }}, g8,
        nullif(concat_ws(', ',
            case when teacher_avg_salary_yuan is null then 'teacher_avg_salary_yuan' end,
            case when civil_servant_avg_salary_yuan is null then 'civil_servant_avg_salary_yuan' end), '')
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G13', 'primary',
        nearby_enrollment_primary_pct, 100.0,
        nearby_enrollment_primary_pct / 100.0, g13_primary,
        case when nearby_enrollment_primary_pct is null then 'nearby_enrollment_primary_pct' end
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G13', 'junior',
        nearby_enrollment_junior_pct, 100.0,
        nearby_enrollment_junior_pct / 100.0, g13_junior,
        case when nearby_enrollment_junior_pct is null then 'nearby_enrollment_junior_pct' end
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G14', null,
        quota_allocated, quota_total,
        {{ safe_divide('quota_allocated', 'quota_total') }}, g14,
        nullif(concat_ws(', ',
            case when quota_allocated is null then 'quota_allocated' end,
            case when quota_total is null then 'quota_total' end), '')
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'G15', null,
        migrant_in_public, migrant_eligible,
        {{ safe_divide('migrant_in_public', 'migrant_eligible') }}, g15,
        nullif(concat_ws(', ',
            case when migrant_in_public is null then 'migrant_in_public' end,
            case when migrant_eligible is null then 'migrant_eligible' end), '')
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'Q1', null,
        junior_graduates,
        junior_cohort_initial + junior_transfer_in - junior_transfer_out - junior_deaths,
        {{ safe_divide('junior_graduates',
            'junior_cohort_initial + junior_transfer_in - junior_transfer_out - junior_deaths') }},
        q1,
        nullif(concat_ws(', ',
            case when junior_graduates is null then 'junior_graduates' end,
            case when junior_cohort_initial is null then 'junior_cohort_initial' end,
            case when junior_transfer_in is null then 'junior_transfer_in' end,
            case when junior_transfer_out is null then 'junior_transfer_out' end,
            case when junior_deaths is null then 'junior_deaths' end), '')
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'Q2', null,
        disabled_children_enrolled, disabled_children_total,
        {{ safe_divide('disabled_children_enrolled', 'disabled_children_total') }}, q2,
        nullif(concat_ws(', ',
            case when disabled_children_enrolled is null then 'disabled_children_enrolled' end,
            case when disabled_children_total is null then 'disabled_children_total' end), '')
    from joined

    union all
    select year, county_code, has_county_row, tolerance, 'S1', null,
        survey_satisfied, survey_valid,
        {{ safe_divide('survey_satisfied', 'survey_valid') }}, s1,
        nullif(concat_ws(', ',
            case when survey_satisfied is null then 'survey_satisfied' end,
            case when survey_valid is null then 'survey_valid' end), '')
    from joined

),

ratio_rows as (

    select
        year,
        county_code,
        indicator,
        stage,
        numerator,
        denominator,
        value,
        standard,
        '>='                  as comparison,
        null::double          as second_value,
        null::double          as second_standard,
        null::varchar         as second_comparison,
        case
            when not has_county_row then 'no_data'
            else {{ status_at_least('value', 'standard', 'tolerance') }}
        end                   as status,
        case
            when not has_county_row then 'no county row for this year (county file not given)'
            when missing is not null then 'input missing: ' || missing
            when value is null then 'denominator is 0'
        end                   as detail
    from ratios

),

q9 as (

    select
        year,
        county_code,
        'Q9'                                 as indicator,
        null::varchar                        as stage,
        null::double                         as numerator,
        null::double                         as denominator,
        quality_composite                    as value,
        q9                                   as standard,
        '>='                                 as comparison,
        quality_between_school_cv            as second_value,
        q9_max_cv                            as second_standard,
        '<='                                 as second_comparison,
        case
            when not has_county_row then 'no_data'
            when quality_composite is not null
                and not {{ at_least('quality_composite', 'q9', 'tolerance') }} then 'not_met'
            when quality_between_school_cv is not null
                and not {{ at_most('quality_between_school_cv', 'q9_max_cv', 'tolerance') }} then 'not_met'
            when quality_composite is null or quality_between_school_cv is null then 'no_data'
            else 'met'
        end                                  as status,
        case
            when not has_county_row then 'no county row for this year (county file not given)'
            when quality_composite is null or quality_between_school_cv is null
                then 'input missing: ' || concat_ws(', ',
                    case when quality_composite is null then 'quality_composite' end,
                    case when quality_between_school_cv is null then 'quality_between_school_cv' end)
        end                                  as detail
    from joined

),

veto as (

    select
        year,
        county_code,
        'V'                                  as indicator,
        null::varchar                        as stage,
        null::double                         as numerator,
        null::double                         as denominator,
        case when not has_county_row then null
             when veto_flags is null then 0.0
             else 1.0 end                    as value,
        null::double                         as standard,
        null::varchar                        as comparison,
        null::double                         as second_value,
        null::double                         as second_standard,
        null::varchar                        as second_comparison,
        case when not has_county_row then 'no_data'
             when veto_flags is null then 'met'
             else 'not_met' end              as status,
        case when not has_county_row then 'no county row for this year (county file not given)'
             when veto_flags is not null then 'veto items: ' || veto_flags end
                                             as detail
    from joined

)

select * from ratio_rows
union all
select * from q9
union all
select * from veto
