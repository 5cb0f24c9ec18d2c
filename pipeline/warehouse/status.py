"""What `equity status` shows: per census year, the last load, its files and rejects, and publication."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.warehouse import db as warehouse
from pipeline.warehouse.publish import build_path_for

STATUS_SQL = """
WITH last_load AS (
    SELECT year, run_id, max(loaded_at) AS loaded_at
    FROM audit.loads
    GROUP BY year, run_id
    QUALIFY row_number() OVER (PARTITION BY year ORDER BY max(loaded_at) DESC) = 1
)
SELECT
    l.year,
    strftime(l.loaded_at, '%Y-%m-%d %H:%M') AS last_load,
    r.outcome,
    count(*) AS files,
    count(*) FILTER (a.status = 'refused') AS refused,
    sum(a.rows_loaded) AS rows_loaded,
    sum(a.rows_rejected) AS rows_rejected,
    (SELECT strftime(max(p.published_at), '%Y-%m-%d %H:%M')
       FROM audit.runs p WHERE p.outcome = 'published' AND p.years = CAST(l.year AS VARCHAR)) AS last_published
FROM last_load l
JOIN audit.loads a USING (year, run_id)
LEFT JOIN audit.runs r USING (run_id)
GROUP BY ALL
ORDER BY l.year
"""


def open_audit(published: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """The build database, which has every run, failed ones included; the published file while a run holds it."""
    build = build_path_for(published)
    try:
        return warehouse.connect(build, read_only=True, lock_wait_seconds=0), build
    except duckdb.IOException:
        return warehouse.connect(published, read_only=True), published


def year_status(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(STATUS_SQL)
    return [d[0] for d in cursor.description], cursor.fetchall()


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 5) -> tuple[list[str], list[tuple]]:
    """The newest runs, with why a run failed or was interrupted when its steps could not say it (pipeline/warehouse/runs.py)."""
    has_reason = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'audit' AND table_name = 'runs' AND column_name = 'reason'"
    ).fetchone()[0]
    cursor = con.execute(
        "SELECT run_id[:8] AS run, years, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started, "
        "round(epoch(ended_at - started_at)) AS seconds, outcome, files, rows_loaded, rows_rejected, "
        f"{'reason' if has_reason else 'NULL'} AS reason FROM audit.runs ORDER BY started_at DESC LIMIT ?",
        [limit],
    )
    return [d[0] for d in cursor.description], cursor.fetchall()
