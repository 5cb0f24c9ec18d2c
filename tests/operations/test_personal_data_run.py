"""A whole run on a census whose teachers carry names, ID and phone numbers under unlisted headers leaks none of them.

The published warehouse, the build database, the run's logs, the quality docs and the county reports
are all searched for every planted value.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest

from tests.operations.conftest import equity

DEMO_2024 = Path(__file__).resolve().parents[2] / "data" / "raw" / "2024"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(serial: int) -> str:
    """A well-formed 18-character ID number (ISO 7064 MOD 11-2 check character) born in 1985."""
    body = f"53010219850301{serial:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS)) % 11]


def _plant(teachers: Path) -> list[str]:
    """Add a name, an ID number and a mobile number under headers the contract does not list; return the values."""
    rows = list(csv.reader(io.StringIO(teachers.read_bytes().decode("gb18030"))))
    rows[0] += ["教职工姓名", "公民身份号码", "手机号码"]
    planted = []
    for i, row in enumerate(rows[1:], start=1):
        values = [f"泄露姓名{i:04d}", id_number(i), f"139{i:08d}"]
        row += values
        if i <= 20:
            planted += values
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    teachers.write_bytes(buffer.getvalue().encode("gb18030"))
    return planted


def _database_text(path: Path) -> bytes:
    """Every text value of every table of a DuckDB file (its pages are compressed: the bytes alone prove nothing)."""
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE 'STRUCT%' OR data_type LIKE '%[]'"
        ).fetchall()
        texts = [
            con.execute(f'SELECT string_agg(CAST("{c}" AS VARCHAR), chr(10)) FROM "{s}"."{t}"').fetchone()[0] or ""
            for s, t, c in columns
        ]
    return "\n".join(texts).encode("utf-8")


def _everything_written(folder: Path) -> bytes:
    """Every file under `folder`: DuckDB files by their text values, workbooks unpacked, the rest as bytes."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if data.startswith(b"DUCK", 8):
            found.append(_database_text(path))
            continue
        found.append(data)
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                found += [workbook.read(name) for name in workbook.namelist()]
    return b"\n".join(found)


@pytest.fixture(scope="module")
def leaked(tmp_path_factory) -> tuple[bytes, list[str], object]:
    home = tmp_path_factory.mktemp("pii")
    shutil.copytree(DEMO_2024, home / "raw" / "2024")
    planted = _plant(home / "raw" / "2024" / "teachers_539901.csv")
    done = equity(
        "run",
        "--raw",
        str(home / "raw"),
        "--warehouse",
        str(home / "out" / "equity.duckdb"),
        home=home,
        env_extra={"EQUITY_PII_SALT": "a test secret"},
    )
    return _everything_written(home / "out") + done.stdout.encode() + done.stderr.encode(), planted, done


def test_the_run_publishes(leaked):
    _, _, done = leaked
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_planted_name_id_or_phone_is_written_anywhere(leaked):
    written, planted, _ = leaked
    found = [value for value in planted if value.encode("utf-8") in written or value.encode("gb18030") in written]
    assert found == []


def test_the_scan_would_see_a_value_stored_in_a_table(leaked, tmp_path):
    database = tmp_path / "probe.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE t AS SELECT ? AS v FROM range(1000)", [id_number(1)])
    assert id_number(1).encode() in _everything_written(tmp_path)
