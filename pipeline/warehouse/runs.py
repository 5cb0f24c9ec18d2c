"""`audit.runs`: one row per pipeline run, opened when the run starts and closed when it ends.

A run is `running` until it ends `failed` or reaches publishing; it is `publishing` while its build
is copied into a new published version, and `published` once that version is the published file:
the version records it itself (sealed into the copy before the swap), the build once the swap is
done. So a run killed while copying is never recorded published: the next run finds it
`publishing` (or `published`, from before this rule) in the build but not in the published file,
and marks it `failed`, "killed while publishing". A row still `running` when the next run starts
belongs to a run that died (killed, machine restarted): it is marked `interrupted`. `reason` says
why a run failed or was interrupted when its own steps could not say it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from pipeline.warehouse.db import AUDIT_DDL

REASON_DDL = "ALTER TABLE audit.runs ADD COLUMN IF NOT EXISTS reason VARCHAR"
DIED_WHILE_RUNNING = (
    "运行未结束即中断 (进程被终止或机器重启) / the run ended without finishing (killed, machine restarted)"
)
KILLED_WHILE_PUBLISHING = "发布时中断 / killed while publishing"
OPEN = ("running", "publishing")


def ensure_runs_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(AUDIT_DDL)
    con.execute(REASON_DDL)


def run_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [run_id for (run_id,) in con.execute("SELECT run_id FROM audit.runs").fetchall()]


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, years: str | None) -> None:
    ensure_runs_table(con)
    con.execute(
        "UPDATE audit.runs SET outcome = 'interrupted', ended_at = now(), reason = ? WHERE outcome = 'running'",
        [DIED_WHILE_RUNNING],
    ).fetchall()
    con.execute(
        "INSERT INTO audit.runs (run_id, years, started_at, outcome) VALUES (?, ?, now(), 'running')", [run_id, years]
    ).fetchall()


def start_publishing(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute(
        "UPDATE audit.runs SET outcome = 'publishing' WHERE run_id = ? AND outcome = 'running'", [run_id]
    ).fetchall()


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, outcome: str, at: datetime | None = None, reason: str | None = None
) -> None:
    """Close a run that is still open, with the counts of what it loaded; `at` (default: now) is when it ended."""
    con.execute(
        """
        UPDATE audit.runs SET
            outcome = $outcome,
            ended_at = coalesce($at::TIMESTAMPTZ, now()),
            published_at = CASE WHEN $outcome = 'published' THEN coalesce($at::TIMESTAMPTZ, now()) END,
            reason = $reason::VARCHAR,
            files = (SELECT count(*) FROM audit.loads l WHERE l.run_id = $run_id),
            files_refused = (SELECT count(*) FROM audit.loads l WHERE l.run_id = $run_id AND l.status = 'refused'),
            rows_loaded = (SELECT coalesce(sum(rows_loaded), 0) FROM audit.loads l WHERE l.run_id = $run_id),
            rows_rejected = (SELECT coalesce(sum(rows_rejected), 0) FROM audit.loads l WHERE l.run_id = $run_id)
        WHERE run_id = $run_id AND outcome IN (SELECT unnest($open))
        """,
        {"run_id": run_id, "outcome": outcome, "at": at, "reason": reason, "open": list(OPEN)},
    ).fetchall()


def close_unpublished(con: duckdb.DuckDBPyConnection, published: list[str]) -> None:
    """Mark `failed` the runs that say they were publishing or published but are not among the `published` file's."""
    con.execute(
        """
        UPDATE audit.runs SET outcome = 'failed', published_at = NULL, ended_at = coalesce(ended_at, now()), reason = $reason
        WHERE outcome IN ('publishing', 'published') AND run_id NOT IN (SELECT unnest($published))
        """,
        {"published": published, "reason": KILLED_WHILE_PUBLISHING},
    ).fetchall()
