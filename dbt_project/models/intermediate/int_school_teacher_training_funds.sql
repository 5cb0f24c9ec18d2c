-- Q4 per school: teacher-training spending / public-funds budget ≥ 5 %
-- (standards Q4 / all / standard).
--
-- Assessed schools: those with at least one evaluated unit (as for G3). A
-- school without a finance row, or with a missing or zero budget or a missing
-- training figure, is no_data. `county_has_finance_rows` is false when no
-- school of the county has a finance row in the year (the optional finance file
-- was not given).

with

schools as (

    select * from {{ ref('int_schools') }}

),

units as (

    select year, school_id, bool_or(evaluated) as has_evaluated_unit
    from {{ ref('int_school_stage_units') }}
    group by year, school_id

),

finance as (

    select * from {{ ref('stg_census__finance') }}

),

counties_with_finance as (

    select distinct finance.year, schools.county_code
    from finance
    inner join schools
        on finance.year = schools.year
        and finance.school_id = schools.school_id

),

std as (

    {{ pivot_standards([
        ('Q4', 'all', 'standard', 'standard'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

joined as (

    select
        schools.year,
        schools.school_id,
        schools.county_code,
        finance.school_id is not null                          as has_finance_row,
        finance.public_funds_budget_yuan,
        finance.teacher_training_yuan,
        {{ safe_divide('finance.teacher_training_yuan', 'finance.public_funds_budget_yuan') }}
                                                               as training_share,
        std.standard,
        std.tolerance,
        counties_with_finance.county_code is not null          as county_has_finance_rows

    from schools
    inner join units
        on schools.year = units.year
        and schools.school_id = units.school_id
    left join finance
        on schools.year = finance.year
        and schools.school_id = finance.school_id
    left join std
        on schools.year = std.year
        and schools.county_code = std.county_code
    left join counties_with_finance
        on schools.year = counties_with_finance.year
        and schools.county_code = counties_with_finance.county_code
    where units.has_evaluated_unit

)

select
    year,
    school_id,
    county_code,
    has_finance_row,
    public_funds_budget_yuan,
    teacher_training_yuan,
    training_share,
    standard,
    county_has_finance_rows,
    {{ status_at_least('training_share', 'standard', 'tolerance') }} as status

from joined
