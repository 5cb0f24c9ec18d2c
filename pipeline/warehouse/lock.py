"""One build at a time: a lock file beside the warehouse, held for the whole run.

DuckDB allows one writing process, and two runs interleaving their years would
publish a mix. The lock is an OS file lock (flock), so a run killed with
SIGKILL releases it with its process and the next run needs no clean-up.
A second run waits for the first (up to `EQUITY_LOCK_WAIT_SECONDS`, default
600), then gives up with a message naming the run that holds the lock.

The processes a run starts that write the build database (its dbt: `equity-dbt` and the
warm dbt process) die with the run: they ask the kernel to kill them when their parent, the
run's process, dies (Linux's PR_SET_PDEATHSIG), and exit at once if it has died already.
Otherwise a run killed with SIGKILL would release the lock while its dbt went on writing the
build, beside the next run. (Handing them the lock itself is not possible: dagster-dbt starts
dbt with every other file descriptor closed.) A run's process says who it is to its dbt in
`EQUITY_RUN_PID` while it holds the lock. The kernel sends the signal when the thread that
started the process ends: `equity run`'s main thread starts the warm process, and the dbt step's
thread, which waits for it, starts `equity-dbt`.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

WAIT_VARIABLE = "EQUITY_LOCK_WAIT_SECONDS"
RUN_PID_VARIABLE = "EQUITY_RUN_PID"
PR_SET_PDEATHSIG = 1


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse."""


def lock_within(file, seconds: float, poll: float = 0.1) -> bool:
    """Take an exclusive flock on `file` (an open file or descriptor), waiting up to `seconds`; whether it was taken."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


def lock_path_for(published: Path) -> Path:
    return published.with_name(f".{published.name}.lock")


class RunLock:
    def __init__(self, published: Path, run_id: str):
        self.path = lock_path_for(published)
        self.run_id = run_id
        self._handle = None

    def acquire(self, wait_seconds: float | None = None) -> None:
        wait = float(os.environ.get(WAIT_VARIABLE, 600)) if wait_seconds is None else wait_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        if not lock_within(handle, wait, poll=0.5):
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise WarehouseBusy(
                f"another run is building {self.path.parent} ({holder}); waited {wait:.0f} s. "
                f"Try again when it has finished (equity status shows runs), or stop it."
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"run {self.run_id}, pid {os.getpid()}, since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        self._handle = handle
        os.environ[RUN_PID_VARIABLE] = str(os.getpid())

    def release(self) -> None:
        if self._handle is not None:
            os.environ.pop(RUN_PID_VARIABLE, None)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def die_with(parent: int) -> None:
    """Be killed when `parent`, the run's process that started this one, dies; exit now if it is gone already."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


def die_with_the_run() -> None:
    """In `equity-dbt`: die with the run that started it (`EQUITY_RUN_PID`); nothing when no run started it."""
    parent = os.environ.get(RUN_PID_VARIABLE)
    if parent is not None:
        die_with(int(parent))
