"""Codes or labels, booleans, area codes, 万元, full-width digits and stray spaces become one canonical value."""

from __future__ import annotations

import pytest

from tests.census_files import SCHOOLS, write_delimited


def test_school_type_code_chinese_and_english_labels(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "schools.csv",
        [
            ["学校标识码", "学校名称", "区县代码", "办学类型", "城乡分类代码", "办学性质"],
            ["0001", "A", "539901", "211", "主城区", "公办"],
            ["0002", "B", "539901", "小学", "村庄", "民办"],
            ["0003", "C", "539901", "primary ", " 220", "public"],  # trailing and leading spaces
            ["0004", "D", "539901", "Nine_Year", "121", "private"],
            ["0005", "E", "539901", "小学教学点", "210", ""],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute(
        "SELECT school_id, school_type, urban_rural, ownership FROM raw.schools ORDER BY 1"
    ).fetchall() == [
        ("0001", "211", "111", "public"),
        ("0002", "211", "220", "private"),
        ("0003", "211", "220", "public"),
        ("0004", "312", "121", "private"),
        ("0005", "218", "210", None),
    ]


@pytest.mark.parametrize(
    ("given", "stored"),
    [("530102", "530102"), ("530102001", "530102"), ("530102001001", "530102"), ("５３０１０２", "530102")],
)
def test_area_codes_cut_to_six_digits(raw_dir, ingest, given, stored):
    write_delimited(raw_dir / "2024" / "schools.csv", [SCHOOLS[0], ["0001", "A", given, "211", "111"]])
    _, con = ingest(raw_dir)
    assert con.execute("SELECT county_code FROM raw.schools").fetchone() == (stored,)


def test_booleans_subjects_and_levels(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "teachers.csv",
        [
            [
                "教职工号",
                "学校标识码",
                "任教学段",
                "最高学历",
                "骨干教师级别",
                "主要任教学科",
                "是否持有教师资格证",
                "近五年培训学时",
                "本学年是否交流轮岗",
            ],
            ["T1", "0001", "小学", "本科", "县级", "体育与健康", "是", "３６０", "否"],
            ["T2", "0001", "primary", "专科", "无", "音乐", "1", "120.5", "true"],
            ["T3", "0002", "初中", "研究生", "省级", "美术", "否", "400", "0"],
            ["T4", "0002", "初中", "高中/中专", "国家级", "语文", "false", "0", ""],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute(
        "SELECT teacher_id, stage, education, backbone_level, subject, has_certificate, training_hours_5y, rotated "
        "FROM raw.teachers ORDER BY 1"
    ).fetchall() == [
        ("T1", "primary", "bachelor", "county", "pe", True, 360.0, False),
        ("T2", "primary", "associate", "none", "music", True, 120.5, True),
        ("T3", "junior", "postgraduate", "province", "art", False, 400.0, False),
        ("T4", "junior", "senior_secondary", "national", "语文", False, 0.0, None),
    ]


def test_equipment_value_in_ten_thousand_yuan_is_multiplied(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "facilities.csv",
        [
            [
                "学校标识码",
                "学段",
                "教学及辅助用房面积（平方米）",
                "体育运动场（馆）面积（平方米）",
                "教学仪器设备资产值（万元）",
                "网络多媒体教室数（间）",
            ],
            ["0001", "", "1,850.5", "3000", "82.35", "12"],
            ["0003", "小学", "900", "2000", "40", "6"],
            ["0003", "初中", "800", "1500", "637.56", "5"],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute(
        "SELECT school_id, stage, teaching_aux_area_m2, equipment_value_yuan, multimedia_classrooms FROM raw.facilities ORDER BY 1, 2"
    ).fetchall() == [
        ("0001", "all", 1850.5, 823500.0, 12),  # empty stage means the whole school; 82.35 万元 = 823,500 元
        ("0003", "junior", 800.0, 6375600.0, 5),  # not 6375599.999999999
        ("0003", "primary", 900.0, 400000.0, 6),
    ]


def test_class_stage_from_grade_when_no_stage_column_and_stage_wins_otherwise(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "classes_a.csv",
        [["学校标识码", "班级编号", "年级", "班级人数"], ["0003", "1", "3", "40"], ["0003", "2", "８", "45"]],
    )
    write_delimited(
        raw_dir / "2024" / "classes_b.csv",
        [["学校标识码", "班级编号", "学段", "年级", "班级人数"], ["0003", "3", "初中", "6", "41"]],
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT class_id, stage, grade FROM raw.classes ORDER BY 1").fetchall() == [
        ("1", "primary", 3),
        ("2", "junior", 8),
        ("3", "junior", 6),  # a five-four system: grade 6 in junior, stage wins
    ]


def test_room_types_and_county_percentages(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "rooms.csv",
        [
            ["学校标识码", "专用教室类型", "使用面积（平方米）"],
            ["0001", "音乐教室", "96"],
            ["0001", "美术", "90"],
            ["0001", "科学实验室", "88"],
        ],
    )
    write_delimited(
        raw_dir / "2024" / "county.csv",
        [
            ["区县代码", "小学就近划片入学比例", "不足100人学校按100人核定公用经费", "一票否决事项"],
            ["539901", "98.5%", "是", ""],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT room_type, area_m2 FROM raw.rooms ORDER BY area_m2").fetchall() == [
        ("other", 88.0),
        ("art", 90.0),
        ("music", 96.0),
    ]
    assert con.execute(
        "SELECT nearby_enrollment_primary_pct, small_school_funded_as_100, veto_flags FROM raw.county"
    ).fetchone() == (98.5, True, None)
