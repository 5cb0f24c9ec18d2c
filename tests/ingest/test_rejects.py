"""Every defective row lands in audit.rejected_rows with file, row, column, value and reason; bad files are refused whole."""

from __future__ import annotations

from pipeline.ingest.files import HEADER_ONLY
from tests.census_files import SCHOOLS, write_delimited
from tests.ingest.conftest import load_row, rejected

CLASS_HEADER = ["school_id", "class_id", "stage", "grade", "students"]


def test_row_level_problems_are_rejected_with_their_reason(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "classes.csv",
        [
            CLASS_HEADER,
            ["0001", "1", "primary", "1", "40"],  # row 2: good
            ["0001", "2", "primary", "2", "四十"],  # row 3: not a number
            ["0001", "3", "primary", "3", "-4"],  # row 4: negative count
            ["0001", "4", "primary", "4", "40.5"],  # row 5: not a whole number
            ["0001", "5", "kindergarten", "1", "30"],  # row 6: unknown code
            ["0009", "1", "primary", "1", "30"],  # row 7: school not in schools
            ["0001", "6", "junior", "7", "30"],  # row 8: a primary school has no junior stage
            ["0001", "1", "primary", "1", "40"],  # row 9: exact copy of row 2
            ["0003", "7", "primary", "1", "30"],  # row 10 and 11: same key, different values
            ["0003", "7", "primary", "1", "31"],
            ["0001", "", "primary", "1", "30"],  # row 12: key missing
            ["0001", "8", "primary", "13", "30"],  # row 13: grade out of range
        ],
    )
    load, con = ingest(raw_dir)
    assert con.execute("SELECT school_id, class_id FROM raw.classes").fetchall() == [("0001", "1")]
    problems = rejected(con, "classes")
    assert [(row, column, value) for _, row, column, value, _ in problems] == [
        (3, "students", "四十"),
        (4, "students", "-4"),
        (5, "students", "40.5"),
        (6, "stage", "kindergarten"),
        (7, "school_id", "0009"),
        (8, "stage", "junior"),
        (9, "school_id/class_id", "0001/1"),
        (10, "school_id/class_id", "0003/7"),
        (11, "school_id/class_id", "0003/7"),
        (12, "class_id", None),
        (13, "grade", "13"),
    ]
    reasons = {row: reason for _, row, _, _, reason in problems}
    assert reasons[3] == "not a number"
    assert reasons[4] == "a negative count"
    assert reasons[5] == "not a whole number"
    assert reasons[6].startswith("unknown stage (accepted: junior, primary, senior)")
    assert reasons[7] == "school_id 0009 is not among this year's loaded schools"
    assert reasons[8] == "stage junior is not taught by school 0001 (type 211 teaches primary)"
    assert reasons[9] == "exact duplicate of 2024/classes.csv row 2"
    assert "differ" in reasons[10] and "differ" in reasons[11]
    assert reasons[12] == "missing value"
    assert reasons[13] == "a grade outside 1-12"
    audit = load_row(con, "2024/classes.csv")
    assert (audit["rows_read"], audit["rows_loaded"], audit["rows_rejected"]) == (12, 1, 11)


def test_rejected_record_keeps_the_whole_row(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "classes.csv", [[*CLASS_HEADER, "note"], ["0001", "2", "primary", "2", "四十", "late"]]
    )
    _, con = ingest(raw_dir)
    record = con.execute(
        "SELECT record->>'students', record->>'class_id', record->'extra' FROM audit.rejected_rows"
    ).fetchone()
    assert record[0] == "四十" and record[1] == "2" and "late" in record[2]


def test_a_rejected_school_orphans_its_classes(raw_dir, ingest):
    rows = [r[:] for r in SCHOOLS] + [["0001", "Other name", "539901", "211", "111"]]  # 0001 twice, differing
    write_delimited(raw_dir / "2024" / "schools.csv", rows)
    write_delimited(
        raw_dir / "2024" / "classes.csv",
        [CLASS_HEADER, ["0001", "1", "primary", "1", "40"], ["0002", "1", "junior", "7", "40"]],
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT school_id FROM raw.schools ORDER BY 1").fetchall() == [("0002",), ("0003",)]
    assert [(f, r, c) for f, r, c, _, _ in rejected(con)] == [
        ("2024/classes.csv", 2, "school_id"),
        ("2024/schools.csv", 2, "school_id"),
        ("2024/schools.csv", 5, "school_id"),
    ]


def test_duplicates_across_two_county_files(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "classes_1.csv", [CLASS_HEADER, ["0001", "1", "primary", "1", "40"]])
    write_delimited(
        raw_dir / "2024" / "classes_2.csv",
        [CLASS_HEADER, ["0002", "1", "junior", "7", "40"], ["0001", "1", "primary", "1", "40"]],
    )
    _, con = ingest(raw_dir)
    assert rejected(con) == [
        ("2024/classes_2.csv", 3, "school_id/class_id", "0001/1", "exact duplicate of 2024/classes_1.csv row 2")
    ]
    assert con.execute("SELECT count(*) FROM raw.classes").fetchone() == (2,)


def test_malformed_line_is_a_rejected_row_not_a_refused_file(raw_dir, ingest):
    (raw_dir / "2024" / "classes.csv").write_text(
        "school_id,class_id,stage,grade,students\n0001,1,primary,1,40\n0001,2,primary,2,40,oops\n0001,3,primary,3,41\n"
    )
    _, con = ingest(raw_dir)
    assert con.execute("SELECT class_id FROM raw.classes ORDER BY 1").fetchall() == [("1",), ("3",)]
    assert rejected(con) == [
        ("2024/classes.csv", 3, None, "0001,2,primary,2,40,oops", "malformed line: 6 fields, the header has 5")
    ]


def test_file_level_problems_refuse_the_whole_file(raw_dir, ingest):
    year = raw_dir / "2024"
    write_delimited(year / "classes_missing.csv", [["school_id", "class_id", "students"], ["0001", "1", "40"]])
    # header 34 bytes + "0001,1,primary," 15 bytes: the bad bytes start at offset 49
    (year / "classes_bytes.csv").write_bytes(b"school_id,class_id,stage,students\n0001,1,primary,\xff\xfe\xfa40\n")
    (year / "classes_empty.csv").write_bytes(b"")
    write_delimited(year / "classes_header_only.csv", [CLASS_HEADER])
    (year / "classes_notes.docx").write_bytes(b"PK\x03\x04")
    (year / "students.csv").write_text("a,b\n1,2\n")
    load, con = ingest(raw_dir)
    reasons = dict(con.execute("SELECT source_file, reason FROM audit.loads WHERE status = 'refused'").fetchall())
    assert reasons == {
        "2024/classes_missing.csv": "missing required column(s) for table 'classes': stage or grade (headers found: 'school_id', 'class_id', 'students')",
        "2024/classes_bytes.csv": "undecodable bytes at line 2 (byte offset 49): the file is neither UTF-8 nor GB18030/GBK; save it again as UTF-8 or GB18030",
        "2024/classes_empty.csv": "empty file",
        "2024/classes_notes.docx": "unsupported file type '.docx': use .csv, .tsv, .xlsx or .parquet",
        "2024/students.csv": "the file name does not start with a table name (schools, classes, teachers, facilities, rooms, finance, county)",
    }
    assert len(load.refused) == 5
    header_only = load_row(con, "2024/classes_header_only.csv")
    assert (header_only["status"], header_only["rows_read"], header_only["notes"]) == ("loaded", 0, HEADER_ONLY)
    assert con.execute("SELECT count(*) FROM raw.classes").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM raw.schools").fetchone() == (3,)


def test_loaded_plus_rejected_equals_read_for_every_file(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "classes.csv",
        [
            CLASS_HEADER,
            ["0001", "1", "primary", "1", "40"],
            ["0001", "1", "primary", "1", "40"],
            ["x", "1", "primary", "1", "x"],
        ],
    )
    _, con = ingest(raw_dir)
    assert con.execute(
        "SELECT count(*) FROM audit.loads WHERE rows_loaded + rows_rejected <> rows_read"
    ).fetchone() == (0,)
    assert con.execute("SELECT sum(rows_rejected) FROM audit.loads").fetchone() == (2,)
