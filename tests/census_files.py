"""Census files written by the tests: a CSV writer, and a small complete year that passes every gate."""

from __future__ import annotations

import csv
import io
from pathlib import Path

SCHOOLS = [
    ["school_id", "school_name", "county_code", "school_type", "urban_rural"],
    ["0001", "First Primary", "539901", "211", "111"],
    ["0002", "Second Junior", "539901", "311", "121"],
    ["0003", "Nine-year", "539901", "312", "220"],
]


def write_delimited(path: Path, rows: list[list[object]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_small_census(raw_dir: Path, year: int, extra_students: int = 0) -> None:
    """Three schools of one county (primary, junior, nine-year) with classes, teachers and facilities."""
    folder = raw_dir / str(year)
    write_delimited(folder / "schools.csv", SCHOOLS)
    write_delimited(
        folder / "classes.csv",
        [
            ["school_id", "class_id", "stage", "grade", "students"],
            ["0001", "1", "primary", "1", str(40 + extra_students)],
            ["0001", "2", "primary", "2", "44"],
            ["0002", "1", "junior", "7", "48"],
            ["0002", "2", "junior", "8", "58"],
            ["0003", "1", "primary", "3", "30"],
            ["0003", "2", "junior", "7", "35"],
        ],
    )
    teachers = [
        [
            "teacher_id",
            "school_id",
            "stage",
            "education",
            "backbone_level",
            "subject",
            "has_certificate",
            "training_hours_5y",
        ]
    ]
    for school, stage, n in (
        ("0001", "primary", 6),
        ("0002", "junior", 7),
        ("0003", "primary", 3),
        ("0003", "junior", 3),
    ):
        teachers += [
            [
                f"T{school}{stage[0]}{i}",
                school,
                stage,
                "bachelor",
                "county" if i == 0 else "none",
                "pe" if i == 1 else "math",
                "是",
                "400",
            ]
            for i in range(n)
        ]
    write_delimited(folder / "teachers.csv", teachers)
    write_delimited(
        folder / "facilities.csv",
        [
            [
                "school_id",
                "stage",
                "teaching_aux_area_m2",
                "sports_area_m2",
                "equipment_value_yuan",
                "multimedia_classrooms",
            ],
            ["0001", "all", "420", "700", "190000", "2"],
            ["0002", "all", "620", "1100", "270000", "3"],
            ["0003", "all", "380", "700", "160000", "2"],
        ],
    )
