"""`equity-dbt`: dbt's command line, as `.venv/bin/dbt` runs it, with three start-up and exit costs removed.

1. dbt re-parses the whole project (5 s) when the profile's connection keys differ from those
   of the parse it starts from, and the path of the DuckDB file is one of them: every new
   warehouse (each test, each benchmark, a bureau's second warehouse) parsed the project again,
   though nothing parsed depends on where the file is. The path is left out of those keys here;
   the database name, which dbt-duckdb takes from the file name and which the compiled SQL
   names, stays in them, and so do the settings (pipeline/dbt/targets.py keys its saved parses
   the same way).
2. Dagster's dbt step ends when the dbt process does. Once a dbt command has returned, its
   work is written (artefacts on disk, every statement committed); what is left is closing the
   DuckDB database, which checkpoints it, and then Python freeing dbt's manifest, macros and
   adapter one object at a time: some 0.5-1 s after every build, on one core, with nothing
   else to do. Here the database is closed as before, and the rest is skipped.
3. A build hands itself to the warm dbt process of the run, if there is one (pipeline/dbt/warm.py),
   which has imported dbt and parsed the year already; that process runs it with the functions
   below, from its parse (`run_dbt_on`) when the build is the one it parsed for.
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Any, NoReturn


def main() -> NoReturn:
    from pipeline.dbt import warm as dbt_warm
    from pipeline.warehouse import lock as run_lock

    run_lock.die_with_the_run()
    code = dbt_warm.hand_over(sys.argv)
    if code is None:
        code = run_dbt()
        before_exit()
    os._exit(code)


def import_dbt() -> None:
    """What `run_dbt` imports: dbt's command line, the DuckDB adapter, the build task (most of a second and a half)."""
    import dbt.adapters.duckdb.impl  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import dbt.task.build  # noqa: F401


def run_dbt() -> int:
    """The dbt command of `sys.argv`, as `dbt` runs it; its exit code, once dbt's database is closed."""
    from dbt.cli.main import cli

    _parse_without_the_database_path()
    try:
        cli()
        code = 0
    except SystemExit as done:  # click ends every command this way
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    _close_database()
    return code


def parse_manifest(args: list[str]) -> Any:
    """dbt's parse of the project with `args` (vars, directories), quietly: the manifest, or None if dbt fails."""
    from dbt.cli.main import dbtRunner

    _parse_without_the_database_path()
    parsed = dbtRunner().invoke(["--quiet", "parse", *args])
    return parsed.result if parsed.success else None


def run_dbt_on(manifest: Any) -> int:
    """`run_dbt` from a manifest parsed before (pipeline/dbt/warm.py): the same command, output and exit code, without the parse.

    dbt's programmatic runner returns what its command line turns into exit codes: 1 for failed
    nodes, 2 for an error.
    """
    from dbt.cli.main import dbtRunner

    _parse_without_the_database_path()
    done = dbtRunner(manifest=manifest).invoke(sys.argv[1:])
    _close_database()
    return 0 if done.success else 1 if done.exception is None else 2


def before_exit() -> None:
    """What must still run before the quick exit: the exit handlers, and the streams flushed.

    multiprocessing's handler releases the semaphores of dbt's locks, which its resource tracker
    would otherwise report as leaked; logging's flushes the log files.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()


def _parse_without_the_database_path() -> None:
    from dbt.adapters.duckdb.credentials import DuckDBCredentials

    keys = DuckDBCredentials._connection_keys
    if getattr(keys, "without_path", False):  # done already in this process
        return

    def without_path(self: DuckDBCredentials) -> tuple[str, ...]:
        return tuple(key for key in keys(self) if key != "path")

    without_path.without_path = True  # type: ignore[attr-defined]
    DuckDBCredentials._connection_keys = without_path  # type: ignore[method-assign]


def _close_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open to the end (its exit handler would drop it)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    database = getattr(environment, "conn", None)
    if database is not None:
        database.close()


if __name__ == "__main__":
    main()
