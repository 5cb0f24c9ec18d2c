"""Personal data by content and by what a header means, not only by the contract's aliases (issue 18 item 2).

The probes plant names, ID-card numbers and phone numbers under headers the alias list did not know, in a key
column and in extras, then scan every text column of every table of the warehouse file and the log for them.
"""

from __future__ import annotations

import hashlib
import logging

from tests.census_files import SCHOOLS, write_delimited
from tests.ingest.conftest import load_row, rejected

SALT = "county-secret"
# Valid check digits (ISO 7064 MOD 11-2).
ID_A, ID_B, ID_C, ID_D, ID_E = (
    "11010519491231002X",
    "530102199003071545",
    "530102198511112820",
    "539901198001011232",
    "530102198003071548",
)
PHONE_A, PHONE_B, PHONE_C = "13912345678", "18687654321", "15011112222"
NAMES = ("王小明", "李红", "Wang Xiaoming", "Li Hong")
HEADER = [
    "教职工号",
    "学校标识码",
    "任教学段",
    "教职工姓名",
    "公民身份号码",
    "手机号码",
    "联系电话",
    "ID Card No.",
    "Full Name",
    "备用号码",
    "证件",
    "备注",
]
ROWS = [
    HEADER,
    [
        ID_A,
        "0001",
        "小学",
        "王小明",
        ID_B,
        PHONE_A,
        "0871-65123456",
        ID_B.lower(),
        "Wang Xiaoming",
        PHONE_B,
        ID_C,
        "班主任",
    ],
    # an unknown stage: rejected, and the rejected row carries ID numbers in its key and its record
    [ID_D, "0001", "幼儿园", "李红", ID_E, PHONE_C, "0871-65999999", ID_E, "Li Hong", "", ID_D, ""],
]
PLANTED = (ID_A, ID_B, ID_C, ID_D, ID_E, ID_A.lower(), PHONE_A, PHONE_B, PHONE_C, "65123456", "65999999", *NAMES)


def _hash(value: str) -> str:
    return hashlib.sha256((SALT + value.upper()).encode()).hexdigest()


def _every_text_value(con) -> str:
    """Every column of every table of the warehouse file, as text."""
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    texts = []
    for schema, table in tables:
        columns = [r[0] for r in con.execute(f'DESCRIBE "{schema}"."{table}"').fetchall()]
        select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in columns)
        texts += [str(row) for row in con.execute(f'SELECT {select} FROM "{schema}"."{table}"').fetchall()]
    return "\n".join(texts)


def test_nothing_personal_reaches_any_table_or_the_log(raw_dir, ingest, caplog):
    write_delimited(raw_dir / "2024" / "teachers.csv", ROWS)
    with caplog.at_level(logging.DEBUG):
        _, con = ingest(raw_dir, salt=SALT)
    stored = _every_text_value(con) + "\n" + caplog.text
    leaked = [value for value in PLANTED if value in stored]
    assert leaked == []
    # The key whose values are ID numbers is stored hashed, like id_card_number (the same person, the same hash).
    assert con.execute("SELECT teacher_id, id_card_hash FROM raw.teachers").fetchall() == [(_hash(ID_A), _hash(ID_B))]
    extra = con.execute("SELECT extra FROM raw.teachers").fetchone()[0]
    assert extra == f'{{"ID Card No.":"{_hash(ID_B)}","证件":"{_hash(ID_C)}","备注":"班主任"}}'
    # The rejected row: its key and its record carry hashes.
    ((_, row, column, value, _),) = rejected(con, "teachers")
    assert (row, column, value) == (3, "stage", "幼儿园")
    record = con.execute("SELECT record->>'teacher_id', record->>'id_card_number' FROM audit.rejected_rows").fetchone()
    assert record == (_hash(ID_D), _hash(ID_E))


def test_the_run_says_which_column_was_protected_and_how(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "teachers.csv", ROWS)
    _, con = ingest(raw_dir, salt=SALT)
    notes = load_row(con, "2024/teachers.csv")["notes"]
    assert notes.startswith("个人信息")
    for expected in (
        "列「教职工号」（teacher_id）的值是身份证号，已加盐哈希",
        "column '教职工号' (teacher_id) holds ID-card numbers: stored as salted hashes",
        "列「手机号码」是电话号码，已删除",
        "列「联系电话」是电话号码，已删除",
        "列「Full Name」是姓名，已删除",
        "列「ID Card No.」是身份证号，已加盐哈希",
        "列「备用号码」的值是手机号码，已删除",
        "列「证件」的值是身份证号，已加盐哈希",
    ):
        assert expected in notes, expected
    assert "列「备注」" not in notes


def test_id_numbers_in_a_key_without_a_salt_refuse_the_file(raw_dir, ingest):
    write_delimited(
        raw_dir / "2024" / "teachers.csv", [["teacher_id", "school_id", "stage"], [ID_A, "0001", "primary"]]
    )
    _, con = ingest(raw_dir, salt=None)
    audit = load_row(con, "2024/teachers.csv")
    assert audit["status"] == "refused"
    assert audit["reason"].startswith("文件含有身份证号")
    assert "teacher_id" in audit["reason"] and "EQUITY_PII_SALT" in audit["reason"]
    assert ID_A not in _every_text_value(con)


def test_names_and_phones_under_any_table_are_dropped_without_a_salt(raw_dir, ingest):
    rows = [
        r[:] + (["校长姓名", "联系电话", "手机"] if i == 0 else ["张三", "0871-6512345", PHONE_A])
        for i, r in enumerate(SCHOOLS)
    ]
    write_delimited(raw_dir / "2024" / "schools.csv", rows)
    _, con = ingest(raw_dir, salt=None)
    assert con.execute("SELECT count(*), count(extra) FROM raw.schools").fetchone() == (3, 0)
    assert not any(v in _every_text_value(con) for v in ("张三", "6512345", PHONE_A))
    notes = load_row(con, "2024/schools.csv")["notes"]
    assert "列「校长姓名」是姓名，已删除" in notes and "列「手机」是电话号码，已删除" in notes


def test_a_number_with_a_wrong_check_digit_is_not_an_id(raw_dir, ingest):
    wrong = ID_A[:-1] + "1"
    write_delimited(
        raw_dir / "2024" / "teachers.csv", [["teacher_id", "school_id", "stage"], [wrong, "0001", "primary"]]
    )
    _, con = ingest(raw_dir, salt=None)
    assert con.execute("SELECT teacher_id FROM raw.teachers").fetchall() == [(wrong,)]


def test_files_read_together_are_protected_file_by_file(raw_dir, ingest):
    year = raw_dir / "2024"
    header = ["teacher_id", "school_id", "stage", "备注"]
    write_delimited(
        year / "teachers_539901.csv", [header, [ID_A, "0001", "primary", PHONE_A], ["T2", "0001", "primary", "x"]]
    )
    write_delimited(year / "teachers_539902.csv", [header, ["T3", "0001", "primary", "y"]])
    _, con = ingest(raw_dir, salt=SALT)
    assert con.execute("SELECT teacher_id, extra FROM raw.teachers ORDER BY source_file, source_row").fetchall() == [
        (_hash(ID_A), None),
        (_hash("T2"), None),
        ("T3", '{"备注":"y"}'),
    ]
    assert "teacher_id" in load_row(con, "2024/teachers_539901.csv")["notes"]
    assert "个人信息" not in load_row(con, "2024/teachers_539902.csv")["notes"]


def test_a_malformed_line_with_a_phone_number_is_withheld(raw_dir, ingest):
    (raw_dir / "2024" / "classes.csv").write_text(
        f"school_id,class_id,stage,grade,students\n0001,1,primary,1,40\n0001,2,primary,2,40,班主任 {PHONE_A}\n"
    )
    _, con = ingest(raw_dir)
    ((_, row, _, value, reason),) = rejected(con)
    assert (row, value) == (3, None) and "withheld" in reason
    assert PHONE_A not in _every_text_value(con)


def test_ids_in_one_file_of_files_read_together_are_hashed_in_that_file_only(raw_dir, ingest):
    year = raw_dir / "2024"
    header = ["teacher_id", "school_id", "stage"]
    write_delimited(year / "teachers_539901.csv", [header, ["T1", "0001", "primary"]])
    write_delimited(year / "teachers_539902.csv", [header, [ID_A, "0001", "primary"], ["T2", "0001", "primary"]])
    write_delimited(year / "teachers_539903.csv", [header, ["T3", "0001", "primary"]])
    _, con = ingest(raw_dir, salt=SALT)
    assert con.execute("SELECT teacher_id FROM raw.teachers ORDER BY source_file, source_row").fetchall() == [
        ("T1",),
        (_hash(ID_A),),
        (_hash("T2"),),
        ("T3",),
    ]
    notes = {f: load_row(con, f"2024/teachers_{f}.csv")["notes"] or "" for f in ("539901", "539902", "539903")}
    assert ["个人信息" in n for n in notes.values()] == [False, True, False]
