-- Students and classes per school and stage (senior included: senior students
-- weigh in the split of `all` facility rows).

select
    year,
    school_id,
    stage,
    count(*)                                  as classes,
    count(*) filter (where students > 0)      as classes_with_students,
    coalesce(sum(students), 0)::bigint        as students,
    max(students)                             as largest_class

from {{ ref('stg_census__classes') }}
group by year, school_id, stage
