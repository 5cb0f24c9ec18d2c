"""Ingestion against the floor: a bare DuckDB `read_csv` of the same files, in the same run.

    python benchmarks/ingest.py [--size province] [--keep]

Generates a census year with `synthetic.generator` (once; kept under
benchmarks/.data/), then measures, each in a fresh process so that peak memory
is that phase's own: (1) DuckDB reading every file into a table of a new
database file, types auto-detected: the least any loader must do; (2)
`load_year`, our whole ingestion of the year (decode, header matching,
normalisation, cross-row checks, audit, one transaction). Prints a table and
writes benchmarks/results/ingest-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
YEAR = 2024


def bare_read(raw: Path, db: Path) -> dict:
    import duckdb

    files = sorted((raw / str(YEAR)).glob("*.csv"))
    with duckdb.connect(str(db)) as con:
        for path in files:
            con.execute(f'CREATE TABLE "{path.stem}" AS SELECT * FROM read_csv(?)', [str(path)])
        rows = sum(con.execute(f'SELECT count(*) FROM "{p.stem}"').fetchone()[0] for p in files)
    return {"files": len(files), "rows": rows}


def ingestion(raw: Path, db: Path) -> dict:
    from pipeline.ingest.year import load_year
    from pipeline.warehouse.db import connect

    with connect(db) as con:
        load = load_year(con, raw, YEAR, str(uuid.uuid4()), salt=None)
    counts = load.table_counts()
    return {
        "files": len(load.files),
        "rows": int(counts["rows_loaded"].sum()),
        "rejected": int(counts["rows_rejected"].sum()),
    }


PHASES = {"bare_read": bare_read, "ingestion": ingestion}


def child(phase: str, raw: Path, db: Path) -> None:
    started = time.perf_counter()
    result = PHASES[phase](raw, db)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def measure(phase: str, raw: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, __file__, "--child", phase, "--raw", str(raw), "--db", str(Path(tmp) / "w.duckdb")],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate(size: str) -> Path:
    raw = HERE / ".data" / f"{size}-csv"
    if not (raw / str(YEAR) / "teachers.csv").exists():
        print(f"generating a {size}-size census year under {raw} …", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "synthetic.generator",
                "--size",
                size,
                "--year",
                str(YEAR),
                "--format",
                "csv",
                "--out",
                str(raw),
            ],
            check=True,
        )
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="province", choices=["county", "province", "nation"])
    parser.add_argument("--child", choices=list(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.raw, args.db)
        return
    raw = generate(args.size)
    size_mb = sum(p.stat().st_size for p in (raw / str(YEAR)).iterdir()) / 1e6
    results = {phase: measure(phase, raw) for phase in PHASES}
    ratio = results["ingestion"]["seconds"] / results["bare_read"]["seconds"]
    print(f"\n{args.size} year {YEAR}: {size_mb:,.0f} MB of CSV\n")
    print(f"{'phase':<12}{'files':>7}{'rows':>12}{'seconds':>10}{'peak MB':>10}")
    for phase, r in results.items():
        print(f"{phase:<12}{r['files']:>7}{r['rows']:>12,}{r['seconds']:>10.2f}{r['peak_rss_mb']:>10,}")
    print(f"\ningestion / bare read = {ratio:.2f}x (target <= 3x)")
    out = HERE / "results" / f"ingest-{args.size}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"size": args.size, "csv_mb": round(size_mb), "phases": results, "ratio": round(ratio, 2)}, indent=2)
        + "\n"
    )
    print(f"written to {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
