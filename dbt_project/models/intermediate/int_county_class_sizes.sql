-- Primary and junior classes per county, stage and size category (G5): the
-- class counts behind G5, county_summary and the classes to split of the
-- remediation plan, counted once from int_classes_classified (a view: every
-- class) so that the county models read a few thousand rows, not every class.
--   classes, students            the classes of the category and their students
--   classes_over_standard,       those above their stage's standard size L
--   students_over_standard       (students > L: with the standards' thresholds,
--                                the over_standard, large and super_large classes)
--   additional_classes           Σ (ceil(n / L) − 1) over those classes: the
--                                classes to add so that none stays above L

select
    year,
    county_code,
    stage,
    category,
    count(*)                                                                  as classes,
    sum(students)::bigint                                                     as students,
    count(*) filter (where students > standard)                               as classes_over_standard,
    coalesce(sum(students) filter (where students > standard), 0)::bigint    as students_over_standard,
    -- ceil(n / L) − 1 in integers: (n + L − 1) // L − 1
    coalesce(sum((students + standard - 1) // standard - 1) filter (where students > standard), 0)::bigint
                                                                              as additional_classes

from {{ ref('int_classes_classified') }}
group by year, county_code, stage, category
