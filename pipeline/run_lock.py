"""One build at a time: a lock file beside the warehouse, held for the whole run.

DuckDB allows one writing process, and two runs interleaving their years would
publish a mix. The lock is an OS file lock (flock), so a run killed with
SIGKILL releases it with its process and the next run needs no clean-up.
A second run waits for the first (up to `EQUITY_LOCK_WAIT_SECONDS`, default
600), then gives up with a message naming the run that holds the lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from datetime import datetime, timezone
from pathlib import Path

WAIT_VARIABLE = "EQUITY_LOCK_WAIT_SECONDS"


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
        handle.write(f"run {self.run_id}, pid {os.getpid()}, since {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
