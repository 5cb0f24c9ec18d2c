"""Wall time and peak memory of a command and every process it starts.

`equity run` is one Python process that starts dbt (another Python process)
and, for the reports, more; what the machine must hold is their sum at the
worst moment, not the largest of them. So the tree's resident memory is
sampled from /proc every `INTERVAL` seconds and summed, and the largest
single process is taken exactly from the kernel (`wait4`'s ru_maxrss).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

INTERVAL = 0.1
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    returncode: int
    seconds: float
    peak_tree_mb: int
    peak_process_mb: int
    load_before: float
    load_after: float
    # CPU time of the process and the processes it waited for (dbt, ...): on two cores, wall time
    # cannot fall below half of it
    cpu_seconds: float

    def as_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 2),
            "cpu_seconds": self.cpu_seconds,
            "peak_tree_mb": self.peak_tree_mb,
            "peak_process_mb": self.peak_process_mb,
            "load_before": round(self.load_before, 2),
            "load_after": round(self.load_after, 2),
        }


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants now."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except OSError:
            pass
    return total


def run(
    command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, log: Path | None = None
) -> Measured:
    """Run `command` to its end, its output to `log` (or discarded); measure it.

    The disk first writes out what earlier steps left in the page cache, so that a step does
    not pay for the last one's writes.
    """
    os.sync()
    load_before = os.getloadavg()[0]
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    try:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(INTERVAL):
                peak[0] = max(peak[0], tree_rss(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    largest = usage.ru_maxrss * 1024
    return Measured(
        process.returncode,
        seconds,
        round(max(peak[0], largest) / 2**20),
        round(largest / 2**20),
        load_before,
        os.getloadavg()[0],
        round(usage.ru_utime + usage.ru_stime, 1),
    )
