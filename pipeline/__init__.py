"""Education resource equity warehouse: census ingestion, indicators and gates, orchestrated by Dagster."""

import os

# polars allocates through its own jemalloc, which by default hands freed pages back to the
# kernel within seconds; ingestion frees and allocates gigabytes of column buffers a second, so
# the same pages were returned and faulted in again: 11 of a nation year's 52 CPU seconds were
# the kernel's. Kept for 30 s instead, the kernel's share is 7 s, for some 10 % more peak memory
# (benchmarks/run.py). jemalloc reads this once, when polars is first imported, which is after
# this package's: every entry point (`equity`, the tests, the benchmarks) imports it first.
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:30000,muzzy_decay_ms:30000")
