"""Teacher names and ID numbers never reach the warehouse as given."""

from __future__ import annotations

import hashlib

from tests.census_files import write_delimited
from tests.ingest.conftest import load_row

HEADER = ["教职工号", "学校标识码", "任教学段", "姓名", "身份证号码", "最高学历"]
ROWS = [
    HEADER,
    ["T1", "0001", "小学", "王小明", "53990119800101123x", "本科"],
    ["T2", "0001", "小学", "李红", " 539901198502023456 ", "学士"],  # unknown education label: rejected
]


def _everything_stored(con) -> str:
    """Every value of every table of the warehouse, as one text."""
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    return "\n".join(str(con.execute(f'SELECT * FROM "{s}"."{t}"').fetchall()) for s, t in tables)


def test_names_dropped_and_ids_hashed_with_the_salt(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "teachers.csv", ROWS)
    _, con = ingest(raw_dir, salt="county-secret")
    stored = _everything_stored(con)
    for personal in ("王小明", "李红", "53990119800101123", "539901198502023456"):
        assert personal not in stored
    # sha256(salt + ID with spaces removed, upper case)
    expected = hashlib.sha256(b"county-secret53990119800101123X").hexdigest()
    assert con.execute("SELECT id_card_hash FROM raw.teachers").fetchall() == [(expected,)]
    assert "name" not in [r[0] for r in con.execute("DESCRIBE raw.teachers").fetchall()]
    # The rejected row's record carries the hash, not the number.
    record = con.execute("SELECT record->>'id_card_number' FROM audit.rejected_rows").fetchone()[0]
    assert record == hashlib.sha256(b"county-secret539901198502023456").hexdigest()


def test_ids_without_a_salt_refuse_the_file(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "teachers.csv", ROWS)
    _, con = ingest(raw_dir, salt=None)
    audit = load_row(con, "2024/teachers.csv")
    assert audit["status"] == "refused"
    assert "EQUITY_PII_SALT" in audit["reason"] and "id_card_number" in audit["reason"]
    assert "53990119800101123" not in _everything_stored(con)


def test_an_empty_id_column_needs_no_salt(raw_dir, ingest):
    write_delimited(raw_dir / "2024" / "teachers.csv", [HEADER, ["T1", "0001", "小学", "王小明", "", "本科"]])
    _, con = ingest(raw_dir, salt=None)
    assert con.execute("SELECT teacher_id, id_card_hash FROM raw.teachers").fetchall() == [("T1", None)]
    assert "王小明" not in _everything_stored(con)


def test_malformed_line_of_a_personal_file_is_withheld(raw_dir, ingest):
    (raw_dir / "2024" / "teachers.csv").write_text(
        "teacher_id,school_id,stage,name\nT1,0001,primary,王小明,extra\n", encoding="utf-8"
    )
    _, con = ingest(raw_dir)
    assert "王小明" not in _everything_stored(con)
    assert con.execute("SELECT reason FROM audit.rejected_rows").fetchone()[0].startswith("malformed line")
