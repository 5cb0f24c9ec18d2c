"""`audit.runs`: one row per pipeline run, opened when the run starts and closed when it ends.

A row still `running` when the next run takes the lock belongs to a run that
died (killed, machine restarted): it is marked `interrupted`.
"""

from __future__ import annotations

import duckdb

from pipeline.ingest.warehouse import AUDIT_DDL


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, years: str | None) -> None:
    con.execute(AUDIT_DDL)
    con.execute("UPDATE audit.runs SET outcome = 'interrupted', ended_at = now() WHERE outcome = 'running'").fetchall()
    con.execute(
        "INSERT INTO audit.runs (run_id, years, started_at, outcome) VALUES (?, ?, now(), 'running')", [run_id, years]
    ).fetchall()


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, outcome: str) -> None:
    """Close a run that is still open, with the counts of what it loaded."""
    con.execute(
        """
        UPDATE audit.runs SET
            outcome = $outcome,
            ended_at = now(),
            published_at = CASE WHEN $outcome = 'published' THEN now() END,
            files = (SELECT count(*) FROM audit.loads l WHERE l.run_id = $run_id),
            files_refused = (SELECT count(*) FROM audit.loads l WHERE l.run_id = $run_id AND l.status = 'refused'),
            rows_loaded = (SELECT coalesce(sum(rows_loaded), 0) FROM audit.loads l WHERE l.run_id = $run_id),
            rows_rejected = (SELECT coalesce(sum(rows_rejected), 0) FROM audit.loads l WHERE l.run_id = $run_id)
        WHERE run_id = $run_id AND outcome = 'running'
        """,
        {"run_id": run_id, "outcome": outcome},
    ).fetchall()
