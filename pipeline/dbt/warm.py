"""A dbt process started ahead of a year's build, dbt imported and the year parsed, which the build's `equity-dbt` hands its command to.

Before a build's first node, a new dbt process spent 3-3.5 s of a core: importing dbt,
dbt-duckdb and their dependencies (1.5 s), then reading the saved parse, checking it against
the project and writing the manifest (1-1.5 s); Dagster's dbt step waited for all of it, some
10 % of a province's run. `equity run` starts this process before each year's run (while Dagster
loads and ingestion reads, when a core is often idle): it imports dbt and parses the year as the
dbt step would (from the year's saved parse, pipeline/dbt/targets.py), then waits. When the dbt
step starts `equity-dbt build …`, that process connects to the warm one over a Unix socket,
passes its arguments, working directory, environment and standard streams (as file
descriptors), and waits: the warm process runs the build as `equity-dbt` would have (same
streams, so Dagster reads dbt's events as before; from its parse if the build is of the same
project, year and database, else parsing as usual) and sends back the exit code, which
`equity-dbt` exits with. Signals sent to `equity-dbt` (Dagster interrupts a build it stops) are
passed on. The first node then starts 0.5 s after the step does.

Each warm process takes one build and exits; anything else (no warm process, it is busy or
gone, another dbt command) runs in `equity-dbt` itself, as without it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Where `equity-dbt` finds the warm process: set by `start` in the environment that Dagster's
# dbt step (dagster-dbt copies os.environ) passes on to `equity-dbt`.
SOCKET_VARIABLE = "EQUITY_DBT_WARM_SOCKET"
# How often a warm process that has not been used checks that the process that started it lives.
PARENT_CHECK_SECONDS = 1.0
_STREAMS = (0, 1, 2)
_DBT_COMMANDS = {
    "build",
    "clean",
    "clone",
    "compile",
    "debug",
    "deps",
    "docs",
    "init",
    "list",
    "ls",
    "parse",
    "retry",
    "run",
    "run-operation",
    "seed",
    "show",
    "snapshot",
    "source",
    "test",
}


def start(year: int | None = None) -> subprocess.Popen[bytes]:
    """Start a warm process for the next build (of `year`: parsed ahead), and point this process's environment at it."""
    folder = tempfile.mkdtemp(prefix="equity-dbt-warm-")
    path = os.path.join(folder, "dbt.sock")
    # Listening from now on (the warm process takes the socket over): a build that comes before the
    # warm process is ready waits for it, rather than finding no socket and running without it.
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(path)
        listener.listen(1)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pipeline.dbt.warm",
                path,
                str(listener.fileno()),
                str(os.getpid()),
                *([] if year is None else [str(year)]),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(listener.fileno(),),
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    os.environ[SOCKET_VARIABLE] = path
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a warm process nobody used (one that took a build ends with it), and remove its socket's folder."""
    path = os.environ.get(SOCKET_VARIABLE)
    if process.poll() is None and path and os.path.exists(path):
        process.terminate()
    process.wait()
    if path:
        os.environ.pop(SOCKET_VARIABLE, None)
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


class WarmDbt:
    """At most one warm process at a time, for a run's next build; the one left unused is stopped on leaving."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def ready(self, year: int) -> None:
        """A warm process for the next build, of `year` (the one started for an earlier call, if not used yet)."""
        if self._process is None:
            self._process = start(year)

    def done(self) -> None:
        if self._process is not None:
            stop(self._process)
            self._process = None

    def __enter__(self) -> WarmDbt:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.done()


def hand_over(argv: list[str]) -> int | None:
    """In `equity-dbt`: have the warm process run this build; its exit code, or None if there is no warm process to take it."""
    path = os.environ.get(SOCKET_VARIABLE)
    if not path or _command(argv) != "build":
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)}
        socket.send_fds(connection, [json.dumps(request).encode() + b"\n"], list(_STREAMS))
        replies = connection.makefile("r", encoding="utf-8")
        taken = replies.readline().split()
    except OSError:
        taken = []
    if not taken:  # gone, or it took another build first: run here
        connection.close()
        return None
    pid = int(taken[1])
    for passed_on in (signal.SIGINT, signal.SIGTERM):
        signal.signal(passed_on, lambda signum, _frame: os.kill(pid, signum))
    finished = replies.readline().split()
    return int(finished[1]) if finished else 1  # no exit code: the warm process died


def _command(argv: list[str]) -> str | None:
    """The dbt command in `equity-dbt`'s arguments (global options may come before it)."""
    return next((arg for arg in argv[1:] if arg in _DBT_COMMANDS), None)


def _serve(path: str, listener: socket.socket, parent: int, year: int | None) -> None:
    """The warm process: import dbt (and parse the year), wait for one build, run it as `equity-dbt` would, report its exit code.

    Once it has taken a build it dies with the run that started it (pipeline/warehouse/lock.py): no build goes on once the
    run's lock is gone. Until then it checks that the run lives, and removes its socket's folder if not.
    """
    from pipeline.dbt import cli as dbt_cli
    from pipeline.warehouse.lock import die_with

    dbt_cli.import_dbt()
    parsed = _parse(year) if year is not None else None
    listener.settimeout(PARENT_CHECK_SECONDS)
    while True:
        try:
            connection, _ = listener.accept()
            break
        except TimeoutError:
            if os.getppid() != parent:  # the run that started it is gone
                shutil.rmtree(os.path.dirname(path), ignore_errors=True)
                return
    listener.close()
    os.unlink(path)  # one build only: later ones run in their own `equity-dbt`
    os.rmdir(os.path.dirname(path))  # nothing left behind if the run is killed during the build
    die_with(parent)
    connection.settimeout(None)
    message, fds, _, _ = socket.recv_fds(connection, 1 << 16, len(_STREAMS))
    while not message.endswith(b"\n"):  # a large environment may come in several reads
        more = connection.recv(1 << 16)
        if not more:  # `equity-dbt` died before its request was whole
            return
        message += more
    request = json.loads(message)
    for fd, stream in zip(fds, _STREAMS):
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    connection.sendall(f"taken {os.getpid()}\n".encode())
    # If `equity-dbt` is killed outright, its build stops as if interrupted, not running on unseen.
    threading.Thread(target=_interrupt_when_closed, args=(connection,), daemon=True).start()
    if parsed is not None and parsed.serves(sys.argv, os.environ):
        code = dbt_cli.run_dbt_on(parsed.manifest)
    else:
        code = dbt_cli.run_dbt()
    dbt_cli.before_exit()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # `equity-dbt` exits once it has the code: that is no interruption
    connection.sendall(f"exit {code}\n".encode())
    os._exit(code)


@dataclass
class _Parsed:
    """The year's dbt project as parsed ahead, and what it was parsed for."""

    manifest: Any
    vars: str
    database: str | None

    def serves(self, argv: list[str], environ: Mapping[str, str]) -> bool:
        """Whether a build of `argv` in `environ` is of the same project, year and database, so may skip parsing."""

        def option(name: str, variable: str | None = None) -> str | None:
            if name in argv[:-1]:
                return argv[argv.index(name) + 1]
            return environ.get(variable) if variable else None

        from pipeline.settings import DBT_PROJECT_DIR

        def this_project(value: str | None) -> bool:
            return Path(value or os.getcwd()).resolve() == DBT_PROJECT_DIR.resolve()

        return (
            option("--vars") == self.vars
            and environ.get("EQUITY_BUILD_DATABASE") == self.database
            and this_project(option("--project-dir", "DBT_PROJECT_DIR"))
            and this_project(option("--profiles-dir", "DBT_PROFILES_DIR"))
        )


def _parse(year: int) -> _Parsed | None:
    """Parse the project for the year's build, from the year's saved parse (as the dbt step would): None if dbt fails."""
    from pipeline.dbt import cli as dbt_cli
    from pipeline.dbt import targets as dbt_targets
    from pipeline.settings import DBT_PROJECT_DIR

    target = dbt_targets.run_target("warm", uuid.uuid4().hex)
    dbt_targets.seed_parse(target, year)
    year_vars = dbt_targets.year_vars(year)
    manifest = dbt_cli.parse_manifest(
        [
            *year_vars,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ]
    )
    if manifest is None:
        return None
    dbt_targets.save_parse(target, year)
    return _Parsed(manifest, year_vars[1], os.environ.get("EQUITY_BUILD_DATABASE"))


def _interrupt_when_closed(connection: socket.socket) -> None:
    connection.recv(1)  # returns when `equity-dbt` closes its end (it sends nothing after the request)
    os.kill(os.getpid(), signal.SIGINT)


if __name__ == "__main__":
    _serve(
        sys.argv[1],
        socket.socket(fileno=int(sys.argv[2])),
        parent=int(sys.argv[3]),
        year=int(sys.argv[4]) if len(sys.argv) > 4 else None,
    )
