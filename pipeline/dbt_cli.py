"""`equity-dbt`: dbt's command line, as `.venv/bin/dbt` runs it, ending without tearing down the interpreter.

Dagster's dbt step ends when the dbt process does. Once a dbt command has returned, its
work is written (artefacts on disk, every statement committed); what is left is closing the
DuckDB database, which checkpoints it, and then Python freeing dbt's manifest, macros and
adapter one object at a time: some 0.5-1 s after every build, on one core, with nothing
else to do. Here the database is closed as before, and the rest is skipped.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def main() -> NoReturn:
    from dbt.cli.main import cli

    try:
        cli()
        code = 0
    except SystemExit as done:  # click ends every command this way
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    _close_database()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _close_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open to the end (its exit handler would drop it)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = getattr(DuckDBConnectionManager, "_ENV", None)
    database = getattr(environment, "conn", None)
    if database is not None:
        database.close()


if __name__ == "__main__":
    main()
