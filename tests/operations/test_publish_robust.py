"""Publishing no analyst can break, and a run's lifecycle: what a build holds, what is recorded, what a kill leaves."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.defs.resources import WarehouseResource
from pipeline.warehouse.publish import build_path_for, published_run, published_versions
from pipeline.warehouse.runs import KILLED_WHILE_PUBLISHING, start_run
from tests.census_files import write_small_census
from tests.operations.conftest import equity, marts_snapshot


def _run(census: Path, *years: int, **kwargs):
    published = census / "out" / "equity.duckdb"
    args = ["run", "--raw", str(census / "raw"), "--warehouse", str(published), "--no-reports"]
    for year in years:
        args += ["--years", str(year)]
    return equity(*args, home=census, **kwargs)


def _rows(warehouse: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


RAW_2024 = "SELECT * EXCLUDE (source_file) FROM raw.{} WHERE year = 2024 ORDER BY ALL"


def test_a_failed_year_is_not_published_by_the_next_run_of_another_year(census):
    published = census / "out" / "equity.duckdb"
    tables = ("schools", "classes", "teachers", "facilities")
    before = {t: _rows(published, RAW_2024.format(t)) for t in tables}
    assert len(before["teachers"]) == 19
    (census / "raw" / "2024" / "teachers.csv").write_bytes(b"\xff\xfe\x00\xd8 not a census file\x00\x00")
    failed = _run(census, 2024)
    assert failed.returncode == 1 and "Not published: 2024" in failed.stderr, failed.stdout + failed.stderr

    good = _run(census, 2023)
    assert good.returncode == 0, good.stdout + good.stderr
    assert {
        t: _rows(published, RAW_2024.format(t)) for t in tables
    } == before  # the last good 2024 load, all 19 teachers
    # The failed attempt's record is kept: its run and the refusal of its teachers file are in the published file.
    refused = _rows(
        published,
        "SELECT l.source_file, r.outcome FROM audit.loads l JOIN audit.runs r USING (run_id) "
        "WHERE l.status = 'refused' AND l.year = 2024",
    )
    assert refused == [("2024/teachers.csv", "failed")]


# --- an analyst's read-write connection to the published file ------------------------------------------------------


@pytest.fixture
def linked(census: Path) -> Path:
    """The census copy with its published link as publishing leaves it (copying the folder made it a plain file)."""
    published = census / "out" / "equity.duckdb"
    (version,) = published_versions(published)
    published.unlink()
    published.symlink_to(version.name)
    return census


WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])  # read-write, as DBeaver opens a file
con.execute("CREATE TABLE main.analyst_notes AS SELECT 1 AS note")  # committed, not checkpointed: it is in the WAL
print("written", flush=True)
for statement in sys.stdin:
    con.execute(statement)
    print("done", flush=True)
"""
STUDENTS_2024 = "SELECT sum(students) FROM marts.school_stage_summary WHERE year = 2024"


def _writer(published: Path) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(published)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline() == "written\n"
    return writer


def _tell(writer: subprocess.Popen, statement: str) -> None:
    writer.stdin.write(statement + "\n")
    writer.stdin.flush()
    assert writer.stdout.readline() == "done\n"


def _readable_with(census: Path, students: int) -> None:
    """A fresh read-only open and `equity sql` both read the published file, and see `students` in 2024."""
    published = census / "out" / "equity.duckdb"
    assert _rows(published, STUDENTS_2024) == [(students,)]
    done = equity("sql", "--warehouse", str(published), STUDENTS_2024, home=census)
    assert done.returncode == 0 and f"{students}" in done.stdout, done.stdout + done.stderr


def _corrected_2024(census: Path) -> int:
    """Five more students in 2024's files; the published sum before."""
    before = _rows(census / "out" / "equity.duckdb", STUDENTS_2024)[0][0]
    write_small_census(census / "raw", 2024, extra_students=5)
    return before


def test_a_writer_alive_with_a_pending_write_neither_stops_a_publish_nor_breaks_the_new_file(linked):
    published = linked / "out" / "equity.duckdb"
    before = _corrected_2024(linked)
    writer = _writer(published)
    try:
        assert Path(os.path.realpath(published) + ".wal").exists()  # its pending write, beside the version it opened
        done = _run(linked, 2024)
        assert done.returncode == 0, done.stdout + done.stderr
        _readable_with(linked, before + 5)
        # The writer goes on: more writes, a checkpoint (into the version it opened), a write after it.
        for statement in ("INSERT INTO analyst_notes VALUES (2)", "CHECKPOINT", "INSERT INTO analyst_notes VALUES (3)"):
            _tell(writer, statement)
        _readable_with(linked, before + 5)
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=60) == 0
    _readable_with(linked, before + 5)
    assert not _rows(published, "SELECT * FROM information_schema.tables WHERE table_name = 'analyst_notes'")


def test_a_writer_killed_with_a_pending_write_neither_stops_a_publish_nor_breaks_the_new_file(linked):
    published = linked / "out" / "equity.duckdb"
    before = _corrected_2024(linked)
    writer = _writer(published)
    writer.kill()
    writer.wait()
    stale = Path(os.path.realpath(published) + ".wal")
    assert stale.exists()
    done = _run(linked, 2024)
    assert done.returncode == 0, done.stdout + done.stderr
    _readable_with(linked, before + 5)
    assert stale.exists()  # the analyst's pending write is kept beside the version it was written against
    with duckdb.connect(str(stale.with_suffix("")), read_only=True) as con:
        assert con.execute("SELECT * FROM analyst_notes").fetchall() == [(1,)]


def test_a_stale_wal_beside_a_warehouse_published_as_a_plain_file_is_set_aside(census):
    """The probe of the issue, in the layout of before: a plain file whose killed writer left `equity.duckdb.wal`."""
    published = census / "out" / "equity.duckdb"
    assert not published.is_symlink()  # copying the folder made the link a plain file
    before = _corrected_2024(census)
    writer = _writer(published)
    writer.kill()
    writer.wait()
    assert published.with_name("equity.duckdb.wal").exists()
    done = _run(census, 2024)
    assert done.returncode == 0, done.stdout + done.stderr
    _readable_with(census, before + 5)
    assert not published.with_name("equity.duckdb.wal").exists()
    (aside,) = published.parent.glob(".equity.duckdb.stale-*[0-9]Z")  # the plain file, its WAL beside it
    assert aside.with_name(aside.name + ".wal").exists()
    with duckdb.connect(str(aside), read_only=True) as con:
        assert con.execute("SELECT * FROM analyst_notes").fetchall() == [(1,)]


def test_published_versions_are_read_only_files_behind_a_link(built_census):
    published = built_census / "out" / "equity.duckdb"
    assert published.is_symlink() and os.readlink(published) == published_versions(published)[-1].name
    assert stat.S_IMODE(published.stat().st_mode) == 0o444
    assert (
        published_run(published)
        == _rows(published, "SELECT run_id FROM audit.runs ORDER BY started_at DESC LIMIT 1")[0][0]
    )


# --- kills and failures while publishing ---------------------------------------------------------------------------


def _wait_for(
    predicate,
    seconds: float = 300,
    poll: float = 0.05,
    what: str = "the run reaching the point where the test stops it",
) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {what}")
        time.sleep(poll)


def _start_run(census: Path, *years: int) -> subprocess.Popen:
    published = census / "out" / "equity.duckdb"
    args = [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        "--raw",
        str(census / "raw"),
        "--warehouse",
        str(published),
        "--no-reports",
    ]
    for year in years:
        args += ["--years", str(year)]
    env = {**os.environ, "DAGSTER_HOME": str(census / "dagster_home")}
    return subprocess.Popen(
        args, cwd=census, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_run_killed_while_copying_is_not_recorded_published_and_leaves_no_partial_file(linked):
    published = linked / "out" / "equity.duckdb"
    build = build_path_for(published)
    with duckdb.connect(str(build)) as con:  # ballast, so that the copy lasts long enough to be caught
        con.execute(
            "CREATE TABLE main.ballast AS SELECT md5(i::VARCHAR) || md5((i * 7)::VARCHAR) AS s FROM range(3000000) t(i)"
        )
    baseline = _digest(published)
    partial = ".equity.duckdb.v*.publishing"
    run = _start_run(linked, 2024)
    try:
        _wait_for(lambda: any(published.parent.glob(partial)) or run.poll() is not None, poll=0.002)
        os.killpg(run.pid, signal.SIGKILL)
    finally:
        run.wait()
    assert any(published.parent.glob(partial)), "the run ended before the test could stop it mid-copy"
    assert _digest(published) == baseline
    newest = "SELECT outcome, reason FROM audit.runs ORDER BY started_at DESC LIMIT 1"
    assert _rows(build, newest) == [("publishing", None)]  # not recorded published

    done = _run(linked, 2024)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not list(published.parent.glob(".equity.duckdb.*publishing*"))
    assert published_versions(published) == [published.resolve()]
    outcomes = _rows(published, "SELECT outcome, reason FROM audit.runs ORDER BY started_at DESC LIMIT 2")
    assert outcomes == [("published", None), ("failed", KILLED_WHILE_PUBLISHING)]


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs the test sizes (mounted here), unmounted at the end."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    mounted = []

    def mount(size: int) -> Path:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)], capture_output=True, text=True
        )
        assert done.returncode == 0, f"cannot mount a tmpfs as root here: {done.stderr.strip()}"
        mounted.append(mount_point)
        return mount_point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=True)


@pytest.mark.skipif(not _can_mount(), reason="mounting a tmpfs needs root (the RLIMIT_FSIZE test covers a failed copy)")
def test_a_full_disk_fails_the_publication_cleanly(census, small_disk):
    build_size = build_path_for(census / "out" / "equity.duckdb").stat().st_size
    folder = small_disk(2 * build_size + build_size // 2)  # the build and one version fit, not a second version
    published = folder / "equity.duckdb"
    resource = WarehouseResource(path=str(published))
    shutil.copyfile(build_path_for(census / "out" / "equity.duckdb"), resource.build_path)
    for run_id in ("run-fits", "run-too-big"):
        with resource.connect() as con:
            start_run(con, run_id, "2024")
    resource.publish("run-fits")

    with pytest.raises(OSError) as raised:
        resource.publish("run-too-big")
    assert raised.value.errno == errno.ENOSPC
    assert published_run(published) == "run-fits"
    assert _rows(published, "SELECT count(*) FROM marts.school_stage_summary")[0][0] > 0
    assert published_versions(published) == [published.resolve()]
    assert not list(folder.glob("*publishing*"))
    ((outcome, reason),) = _rows(
        resource.build_path, "SELECT outcome, reason FROM audit.runs WHERE run_id = 'run-too-big'"
    )
    assert outcome == "failed" and reason.startswith("发布失败 / publishing failed:") and "No space left" in reason


COPY_OVER_THE_LIMIT = """
import resource, sys
from pathlib import Path
from pipeline.warehouse.publish import publish
build, published = Path(sys.argv[1]), Path(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (build.stat().st_size // 2, resource.RLIM_INFINITY))
try:
    publish(build, published, "run-over-the-limit", seal=lambda con: None)
except OSError as error:
    print(error.errno)
"""


def test_a_copy_that_fails_leaves_no_partial_file_and_the_published_warehouse(linked):
    published = linked / "out" / "equity.duckdb"
    baseline, target = _digest(published), os.readlink(published)
    done = subprocess.run(
        [sys.executable, "-c", COPY_OVER_THE_LIMIT, str(build_path_for(published)), str(published)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == str(errno.EFBIG), done.stdout + done.stderr
    assert os.readlink(published) == target and _digest(published) == baseline
    assert not list(published.parent.glob("*publishing*"))
    assert published_versions(published) == [published.resolve()]


# --- dbt does not outlive its run ----------------------------------------------------------------------------------


def _children() -> dict[int, list[int]]:
    """parent pid -> the pids of its children, of every process now."""
    tree: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        tree.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, found, todo = _children(), [], [pid]
    while todo:
        children = tree.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return ""


def _alive(pid: int) -> bool:
    """Running (an exited process its new parent has not reaped yet is a zombie: not alive)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_the_dbt_of_a_run_killed_during_dbt_dies_with_it(census):
    published = census / "out" / "equity.duckdb"
    baseline = marts_snapshot(published)
    log = census / "out" / "logs" / "run-2024.log"
    log.unlink(missing_ok=True)
    run = _start_run(census, 2024)
    try:
        _wait_for(lambda: log.exists() and "START sql" in log.read_text(errors="ignore"))
        dbt = [
            pid
            for pid in _descendants(run.pid)
            if "equity-dbt" in _command_line(pid) or "dbt_warm" in _command_line(pid)
        ]
        assert dbt, "no dbt process found under the run"
        os.kill(run.pid, signal.SIGKILL)  # the run alone: its dbt is not killed by the test
        run.wait()
        _wait_for(lambda: not any(_alive(pid) for pid in dbt), seconds=10, what="the dbt processes to die with the run")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    done = _run(census, 2024)
    assert done.returncode == 0, done.stdout + done.stderr
    assert marts_snapshot(published) == baseline
    outcomes = _rows(published, "SELECT outcome FROM audit.runs ORDER BY started_at DESC LIMIT 2")
    assert outcomes == [("published",), ("interrupted",)]
