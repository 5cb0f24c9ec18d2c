"""The database's one home: connecting, the audit tables, publishing, the run lock, runs, status.

Nothing here imports ingestion, the quality gates or the reports."""
