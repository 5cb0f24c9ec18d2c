-- What: every (indicator, scope, parameter) that the models read from the
--   standards seed resolves to a value for every county and year.
-- When it matters: a missing standard turns statuses into no_data (or a CV
--   limit into null) without any other error.
-- How to fix: add the missing row to seeds/standards.csv (or widen the
--   validity years of an existing row).

with

required (indicator, scope, parameter) as (

    values
        ('R1', 'primary', 'standard'), ('R1', 'junior', 'standard'),
        ('R2', 'primary', 'standard'), ('R2', 'junior', 'standard'),
        ('R3', 'primary', 'standard'), ('R3', 'junior', 'standard'),
        ('R4', 'primary', 'standard'), ('R4', 'junior', 'standard'),
        ('R5', 'primary', 'standard'), ('R5', 'junior', 'standard'),
        ('R6', 'primary', 'standard'), ('R6', 'junior', 'standard'),
        ('R7', 'primary', 'standard'), ('R7', 'junior', 'standard'),
        ('R1', 'primary', 'min_education_rank'), ('R1', 'junior', 'min_education_rank'),
        ('R2', 'all', 'min_backbone_rank'),
        ('RESOURCE', 'all', 'min_met_indicators'), ('RESOURCE', 'all', 'min_ratio_for_unmet'),
        ('RESOURCE', 'all', 'min_passing_unit_share'),
        ('UNIT', 'all', 'teaching_point_min_students'),
        ('FACILITY_SPLIT', 'primary', 'student_weight'), ('FACILITY_SPLIT', 'junior', 'student_weight'),
        ('FACILITY_SPLIT', 'senior', 'student_weight'),
        ('CV', 'primary', 'cv_limit'), ('CV', 'junior', 'cv_limit'),
        ('CV', 'primary', 'cv_limit_basic'), ('CV', 'junior', 'cv_limit_basic'),
        ('CV', 'all', 'borderline_tolerance'), ('ALL', 'all', 'comparison_tolerance'),
        ('G3', 'all', 'classes_per_room'), ('G3', 'music', 'min_room_area_m2'),
        ('G3', 'art', 'min_room_area_m2'), ('G3', 'all', 'old_school_built_before_year'),
        ('G3', 'music', 'min_room_area_m2_old_school'), ('G3', 'art', 'min_room_area_m2_old_school'),
        ('G3', 'all', 'rural_small_largest_class_below'),
        ('G3', 'primary', 'min_room_area_m2_rural_small'), ('G3', 'junior', 'min_room_area_m2_rural_small'),
        ('G3', 'all', 'standard'),
        ('G4', 'single_stage', 'size_limit'), ('G4', 'multi_stage', 'size_limit'), ('G4', 'all', 'standard'),
        ('G5', 'primary', 'max_class_size'), ('G5', 'junior', 'max_class_size'),
        ('G5', 'all', 'large_class_min'), ('G5', 'all', 'super_large_class_min'), ('G5', 'all', 'standard'),
        ('G6', 'all', 'standard'), ('G7', 'all', 'standard'), ('G8', 'all', 'standard'),
        ('G9', 'all', 'min_training_hours'), ('G9', 'all', 'standard'),
        ('G11', 'all', 'standard'), ('G11', 'all', 'backbone_share_standard'),
        ('G12', 'all', 'standard'),
        ('G13', 'primary', 'standard'), ('G13', 'junior', 'standard'),
        ('G14', 'all', 'standard'), ('G15', 'all', 'standard'),
        ('Q1', 'all', 'standard'), ('Q2', 'all', 'standard'),
        ('Q4', 'all', 'standard'), ('Q4', 'all', 'min_school_share'),
        ('Q9', 'all', 'standard'), ('Q9', 'all', 'max_between_school_cv'),
        ('S1', 'all', 'standard')

)

select counties.year, counties.county_code, required.*
from {{ ref('int_counties') }} as counties
cross join required
left join {{ ref('int_standards_resolved') }} as resolved
    on counties.year = resolved.year
    and counties.county_code = resolved.county_code
    and required.indicator = resolved.indicator
    and required.scope = resolved.scope
    and required.parameter = resolved.parameter
where resolved.value is null
