"""`equity sql`: queries on the published warehouse, opened read-only so a run is never blocked.

With a query, prints its result; without, an interactive prompt (statements end
with `;`, `.tables` lists the analysts' tables, `.quit` or Ctrl-D leaves).
"""

from __future__ import annotations

import readline  # noqa: F401  (line editing and history for input())
from pathlib import Path

import duckdb
from rich.console import Console
from rich.table import Table

from pipeline.terminal import shown
from pipeline.warehouse import db as warehouse

TABLES_SQL = (
    "SELECT table_schema || '.' || table_name AS table, table_type FROM information_schema.tables "
    "WHERE table_schema IN ('marts', 'audit') ORDER BY 1"
)


def render(con: duckdb.DuckDBPyConnection, sql: str, console: Console, max_rows: int) -> None:
    relation = con.sql(sql)
    if relation is None:
        return
    rows = relation.limit(max_rows + 1).fetchall()
    table = Table(show_lines=False)
    for name in relation.columns:
        table.add_column(shown(name))
    for row in rows[:max_rows]:
        table.add_row(*[shown("NULL" if v is None else v) for v in row])
    console.print(table)
    if len(rows) > max_rows:
        console.print(f"(first {max_rows} rows shown; use LIMIT or --max-rows)")


def open_published(published: Path) -> duckdb.DuckDBPyConnection:
    if not published.exists():
        raise FileNotFoundError(f"no warehouse at {published}: build it with `equity run` (or `make run`)")
    return warehouse.connect(published, read_only=True)


def shell(con: duckdb.DuckDBPyConnection, console: Console, max_rows: int) -> None:
    console.print(
        "Read-only SQL on the published warehouse. End statements with ';'. .tables lists tables, .quit leaves."
    )
    buffer: list[str] = []
    while True:
        try:
            line = input("equity> " if not buffer else "   ...> ")
        except EOFError:
            console.print()
            return
        command = line.strip()
        if not buffer and command in (".quit", ".exit"):
            return
        if not buffer and command == ".tables":
            render(con, TABLES_SQL, console, max_rows)
            continue
        buffer.append(line)
        if command.endswith(";"):
            try:
                render(con, "\n".join(buffer), console, max_rows)
            except duckdb.Error as error:
                console.print(shown(error, style="red"))
            buffer = []
