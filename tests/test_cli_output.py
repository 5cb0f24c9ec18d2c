"""What `equity` prints and writes when the data, the files or the machine are hostile: the real CLI, in a subprocess.

Text from the data or from files (values, headers, file names, error messages) is printed as text: no Rich
markup read in it, no terminal escape sequence sent raw. Each run has its own log. A folder the CLI cannot write
is said so, not a traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.census_files import write_delimited, write_small_census

REPO = Path(__file__).resolve().parents[1]
# what a terminal gets from Rich: colours and hyperlinks on (as in a real terminal), lines wide enough for a path
TERMINAL = {"FORCE_COLOR": "1", "COLUMNS": "250", "TERM": "xterm-256color"}
OSC_HYPERLINK = "\x1b]8;"
HOSTILE_VALUES = {
    "[/]": "[/]",
    "[link=http://evil.example]click[/link]": "[link=http://evil.example]click[/link]",
    "\x1b[2J\x1b[31mred": "\\x1b[2J\\x1b[31mred",  # clear the screen, then red
    "bell\x07\x9b0m": "bell\\x07\\x9b0m",  # BEL, and C1's one-byte CSI
    "back\rline": "back\\x0dline",
}


def equity(*args: str, home: Path, env_extra: dict[str, str] | None = None, wait: bool = True):
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster_home"), **TERMINAL, **(env_extra or {})}
    command = [sys.executable, "-m", "pipeline", *args]
    if not wait:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def _without_own_styles(text: str) -> str:
    """The output without Rich's own colour codes (SGR sequences that end in 'm' and hold only digits and ';')."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "equity.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.names (name VARCHAR)")
        con.executemany("INSERT INTO marts.names VALUES (?)", [[v] for v in HOSTILE_VALUES])
    return path


# ----------------------------------------------------------------------------------------------
# equity sql
# ----------------------------------------------------------------------------------------------


def test_sql_prints_markup_and_escape_sequences_of_values_and_headers_as_text(warehouse, tmp_path):
    done = equity(
        "sql",
        'SELECT name AS "[bold]name[/]", \'[/]\' AS "[/]" FROM marts.names',
        "--warehouse",
        str(warehouse),
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = _without_own_styles(done.stdout)
    for shown in HOSTILE_VALUES.values():
        assert shown in out, shown
    assert "[bold]name[/]" in out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\r" not in out
    assert OSC_HYPERLINK not in done.stdout
    assert done.stderr == ""


def test_a_sql_error_quoting_markup_is_printed_not_a_crash(warehouse, tmp_path):
    done = equity("sql", 'SELECT * FROM "[/]\x1b[2J"', "--warehouse", str(warehouse), home=tmp_path)
    assert done.returncode == 1
    err = _without_own_styles(done.stderr)
    assert "Traceback" not in err and "[/]\\x1b[2J" in err and "\x1b[2J" not in err


def test_the_interactive_prompt_prints_values_and_errors_as_text(warehouse, tmp_path):
    statements = 'SELECT name FROM marts.names;\nSELECT * FROM "[/]";\n.quit\n'
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), **TERMINAL}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "sql", "--warehouse", str(warehouse)],
        cwd=REPO,
        env=env,
        input=statements,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = _without_own_styles(done.stdout)
    assert all(shown in out for shown in HOSTILE_VALUES.values())
    assert "Table with name [/] does not exist" in out
    assert "\x1b" not in out and OSC_HYPERLINK not in done.stdout and "Traceback" not in done.stderr


# ----------------------------------------------------------------------------------------------
# equity run: a refused file whose header holds markup and escape sequences
# ----------------------------------------------------------------------------------------------


def test_a_refused_file_whose_header_holds_markup_is_reported_and_the_year_not_published(tmp_path):
    raw = tmp_path / "raw"
    write_small_census(raw, 2024)
    teachers = raw / "2024" / "teachers.csv"
    rows = [line.split(",") for line in teachers.read_text().splitlines()]
    # headers that replace teacher_id, school_id and stage: the file is refused, its reason quotes them
    rows[0] = ["[/]", "[link=http://evil.example]x[/link]", "\x1b[2Jclear", *rows[0][3:]]
    write_delimited(teachers, rows)

    done = equity(
        "run", "--raw", str(raw), "--warehouse", str(tmp_path / "out" / "equity.duckdb"), "--no-reports", home=tmp_path
    )
    assert done.returncode == 1, done.stdout + done.stderr
    err = _without_own_styles(done.stderr)
    assert "Traceback" not in err
    # the escape character is shown as \x1b, or gone where ingestion strips control characters from headers
    assert re.search(
        r"refused 2024/teachers\.csv: missing required column\(s\) for table 'teachers': teacher_id, "
        r"school_id, stage \(headers found: '\[/\]', '\[link=http://evil\.example\]x\[/link\]', "
        r"'(\\x1b)?\[2Jclear', ",
        err,
    ), err
    assert "\x1b[2J" not in done.stderr + done.stdout and OSC_HYPERLINK not in done.stderr + done.stdout
    assert "Not published: 2024;" in err


# ----------------------------------------------------------------------------------------------
# equity run: each run its own log
# ----------------------------------------------------------------------------------------------


def _log_of(stdout: str) -> Path:
    found = re.findall(r"\(log: (\S+\.log)\)", _without_own_styles(stdout))
    assert len(found) == 1, stdout
    return Path(found[0])


def test_two_concurrent_runs_write_their_own_logs_and_print_the_path_of_their_own(tmp_path):
    raw = tmp_path / "raw"
    write_small_census(raw, 2024)
    args = ("run", "--raw", str(raw), "--warehouse", str(tmp_path / "out" / "equity.duckdb"), "--no-reports")
    first = equity(*args, home=tmp_path, wait=False)
    second = equity(*args, home=tmp_path, env_extra={"EQUITY_LOCK_WAIT_SECONDS": "600"}, wait=False)
    (out1, err1), (out2, err2) = first.communicate(timeout=900), second.communicate(timeout=900)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2

    logs = {_log_of(out1): first.pid, _log_of(out2): second.pid}
    assert len(logs) == 2
    for log, pid in logs.items():
        text = log.read_text(encoding="utf-8")
        assert text.startswith(f"equity run 2024, pid {pid}, "), text[:200]  # this run's log, with this run's header
        assert "Completed successfully" in text and text.count("Running with dbt=") == 1  # whole, and only its own
    latest = tmp_path / "out" / "logs" / "run-2024.log"
    assert latest.is_symlink() and latest.resolve() in logs


# ----------------------------------------------------------------------------------------------
# A folder the CLI cannot write
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def read_only_folder(tmp_path) -> Iterator[Path]:
    """A folder whose writes fail with a real OSError: read-only for a user, a read-only mount for root (for whom
    permissions do not stop writes), or sysfs where root cannot mount."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True)
    if mount.returncode:
        yield Path("/sys/kernel/equity-test")
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _says_cannot_write(done: subprocess.CompletedProcess, folder: Path) -> None:
    err = " ".join(_without_own_styles(done.stderr).split())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in err
    assert err.index("无法写入") < err.index("cannot write") and str(folder) in err, err


def test_a_run_into_a_read_only_folder_says_it_cannot_write_there(read_only_folder, tmp_path):
    raw = tmp_path / "raw"
    write_small_census(raw, 2024)
    done = equity("run", "--raw", str(raw), "--warehouse", str(read_only_folder / "equity.duckdb"), home=tmp_path)
    _says_cannot_write(done, read_only_folder)


def test_a_run_where_a_file_stands_for_the_folder_says_it_cannot_write_there(tmp_path):
    raw = tmp_path / "raw"
    write_small_census(raw, 2024)
    (tmp_path / "out").write_text("not a folder")
    done = equity("run", "--raw", str(raw), "--warehouse", str(tmp_path / "out" / "equity.duckdb"), home=tmp_path)
    _says_cannot_write(done, tmp_path / "out")


def test_reports_into_a_read_only_folder_say_so(read_only_folder, warehouse, tmp_path):
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE TABLE marts.county_summary (county_code VARCHAR, year INTEGER)")
        con.execute("INSERT INTO marts.county_summary VALUES ('539901', 2024)")
    done = equity("report", "--warehouse", str(warehouse), "--out", str(read_only_folder / "reports"), home=tmp_path)
    _says_cannot_write(done, read_only_folder)
