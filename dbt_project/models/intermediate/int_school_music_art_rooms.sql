-- G3 per school: music and art rooms (音乐、美术专用教室).
--
-- Assessed schools: those with at least one evaluated unit (so special-education
-- schools, teaching points under 50 students and schools without students are
-- not assessed, as for the resource indicators).
-- Required rooms of each type = ceil(compulsory classes / 12) (standards G3 /
-- all / classes_per_room), where compulsory classes are the school's primary and
-- junior classes that have students.
-- A room is adequate when its area is at least the least of the minimums that
-- apply to it (standards G3):
--   * music 96 m², art 90 m² (min_room_area_m2);
--   * 73 / 67 m² if the school was built before 2016 (min_room_area_m2_old_school,
--     old_school_built_before_year); the school's built_year is used, or the
--     room's when the school's is unknown; with neither, the full size applies;
--   * 54 m² for a rural school (area_class rural, urban_rural 2xx) whose largest
--     compulsory class has fewer than 30 students (rural_small_largest_class_below),
--     61 m² if the school has a junior unit (junior and schools with both).
-- The school meets G3 when it has at least the required number of adequate rooms
-- of each type. `county_has_room_rows` is false when no school of the county
-- has a room row in the year (the optional rooms file was not given): the
-- county's G3 is then no_data.

with

schools as (

    select * from {{ ref('int_schools') }}

),

units as (

    select
        year,
        school_id,
        bool_or(evaluated)                       as has_evaluated_unit,
        bool_or(stage = 'junior')                as has_junior_unit
    from {{ ref('int_school_stage_units') }}
    group by year, school_id

),

compulsory_stages as (

    select stage from {{ ref('stages') }} where is_compulsory

),

-- the school's compulsory classes with students and its largest one, summed from
-- the per-stage counts of int_school_stage_students rather than read again from
-- the 3.9 million classes of a nation year
classes as (

    select
        students.year,
        students.school_id,
        sum(students.classes_with_students)::bigint     as compulsory_classes,
        max(students.largest_class)                     as largest_class
    from {{ ref('int_school_stage_students') }} as students
    inner join compulsory_stages
        on students.stage = compulsory_stages.stage
    group by students.year, students.school_id

),

rooms as (

    select * from {{ ref('stg_census__rooms') }}

),

counties_with_rooms as (

    select distinct rooms.year, schools.county_code
    from rooms
    inner join schools
        on rooms.year = schools.year
        and rooms.school_id = schools.school_id

),

room_minimums as (

    select
        year,
        county_code,
        scope as room_type,
        max(value) filter (where parameter = 'min_room_area_m2')              as min_area,
        max(value) filter (where parameter = 'min_room_area_m2_old_school')   as min_area_old_school
    from {{ ref('int_standards_resolved') }}
    where indicator = 'G3' and scope in ('music', 'art')
    group by year, county_code, scope

),

std as (

    {{ pivot_standards([
        ('G3', 'all', 'classes_per_room', 'classes_per_room'),
        ('G3', 'all', 'old_school_built_before_year', 'old_school_built_before_year'),
        ('G3', 'all', 'rural_small_largest_class_below', 'rural_small_largest_class_below'),
        ('G3', 'primary', 'min_room_area_m2_rural_small', 'rural_small_min_area_primary'),
        ('G3', 'junior', 'min_room_area_m2_rural_small', 'rural_small_min_area_junior'),
        ('ALL', 'all', 'comparison_tolerance', 'tolerance'),
    ]) }}

),

assessed as (

    select
        schools.year,
        schools.school_id,
        schools.county_code,
        schools.school_type,
        schools.area_class,
        schools.built_year,
        units.has_junior_unit,
        coalesce(classes.compulsory_classes, 0)                           as compulsory_classes,
        classes.largest_class,
        ceil(coalesce(classes.compulsory_classes, 0) / std.classes_per_room)::bigint
                                                                          as required_rooms,
        (schools.area_class = 'rural'
            and classes.largest_class < std.rural_small_largest_class_below)
                                                                          as is_rural_small,
        case when units.has_junior_unit then std.rural_small_min_area_junior
             else std.rural_small_min_area_primary end                    as rural_small_min_area,
        std.old_school_built_before_year,
        std.tolerance,
        counties_with_rooms.county_code is not null                      as county_has_room_rows

    from schools
    inner join units
        on schools.year = units.year
        and schools.school_id = units.school_id
    left join classes
        on schools.year = classes.year
        and schools.school_id = classes.school_id
    left join std
        on schools.year = std.year
        and schools.county_code = std.county_code
    left join counties_with_rooms
        on schools.year = counties_with_rooms.year
        and schools.county_code = counties_with_rooms.county_code
    where units.has_evaluated_unit

),

rooms_judged as (

    select
        assessed.year,
        assessed.school_id,
        rooms.room_type,
        rooms.area_m2,
        coalesce(assessed.built_year, rooms.built_year) < assessed.old_school_built_before_year
                                                                          as old_school,
        least(
            room_minimums.min_area,
            case when coalesce(assessed.built_year, rooms.built_year)
                      < assessed.old_school_built_before_year
                 then room_minimums.min_area_old_school end,
            case when assessed.is_rural_small then assessed.rural_small_min_area end
        )                                                                 as min_area,
        assessed.tolerance

    from assessed
    inner join rooms
        on assessed.year = rooms.year
        and assessed.school_id = rooms.school_id
    inner join room_minimums
        on assessed.year = room_minimums.year
        and assessed.county_code = room_minimums.county_code
        and rooms.room_type = room_minimums.room_type

),

room_counts as (

    select
        year,
        school_id,
        count(*) filter (where room_type = 'music')                      as music_rooms,
        count(*) filter (where room_type = 'art')                        as art_rooms,
        count(*) filter (
            where room_type = 'music' and {{ at_least('area_m2', 'min_area', 'tolerance') }}
        )                                                                 as adequate_music_rooms,
        count(*) filter (
            where room_type = 'art' and {{ at_least('area_m2', 'min_area', 'tolerance') }}
        )                                                                 as adequate_art_rooms,
        min(min_area) filter (where room_type = 'music')                  as music_min_area,
        min(min_area) filter (where room_type = 'art')                    as art_min_area
    from rooms_judged
    group by year, school_id

)

select
    assessed.year,
    assessed.school_id,
    assessed.county_code,
    assessed.school_type,
    assessed.area_class,
    assessed.built_year,
    assessed.compulsory_classes,
    assessed.largest_class,
    assessed.is_rural_small,
    assessed.required_rooms,
    coalesce(room_counts.music_rooms, 0)              as music_rooms,
    coalesce(room_counts.adequate_music_rooms, 0)     as adequate_music_rooms,
    coalesce(room_counts.art_rooms, 0)                as art_rooms,
    coalesce(room_counts.adequate_art_rooms, 0)       as adequate_art_rooms,
    room_counts.music_min_area,
    room_counts.art_min_area,
    assessed.county_has_room_rows,
    case
        when not assessed.county_has_room_rows then 'no_data'
        when coalesce(room_counts.adequate_music_rooms, 0) >= assessed.required_rooms
            and coalesce(room_counts.adequate_art_rooms, 0) >= assessed.required_rooms
            then 'met'
        else 'not_met'
    end                                               as status

from assessed
left join room_counts
    on assessed.year = room_counts.year
    and assessed.school_id = room_counts.school_id
