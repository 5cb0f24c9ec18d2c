"""The data-quality gates on a province- or nation-size census year, per engine.

    python benchmarks/gates.py [--size province|nation] [--engines auto sql gx] [--marts]

Generates two consecutive census years with `synthetic.generator` (once; kept
under benchmarks/.data/<size>-csv/, the files of the ingestion benchmark), so
that the year-over-year checks have a previous year; loads both with the real
ingestion (`load_year`) into benchmarks/.data/<size>-gates.duckdb (once,
reused), optionally builds the dbt marts (`--marts`), then validates 2024
against every raw suite (and the mart suites) in a fresh process per engine,
so that time and peak memory are the gates' own:

- auto: what the pipeline runs: GX (pandas) for batches up to 1,000,000 rows,
  the SQL translation in DuckDB above; SQL expectations always in DuckDB;
- sql: every expectation in DuckDB;
- gx: every GX expectation in Great Expectations on pandas, whatever the size.

Reports seconds per suite (reading the batch and validating), the one-off
start-up (importing GX and creating its context) and peak RSS; writes
benchmarks/results/gates-<size>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
YEAR = 2024
YEARS = (2023, 2024)
sys.path.insert(0, str(REPO))


def generate(size: str) -> Path:
    raw = HERE / ".data" / f"{size}-csv"
    for year in YEARS:
        if not (raw / str(year) / "teachers.csv").exists():
            print(f"generating the {size}-size census year {year} under {raw} …", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "synthetic.generator",
                    "--size",
                    size,
                    "--year",
                    str(year),
                    "--format",
                    "csv",
                    "--out",
                    str(raw),
                ],
                check=True,
                cwd=REPO,
            )
    return raw


def ingest(raw: Path, db: Path) -> dict:
    from pipeline.ingest.year import load_year
    from pipeline.warehouse.db import connect

    rows = {}
    with connect(db) as con:
        for year in YEARS:
            load = load_year(con, raw, year, f"bench-{uuid.uuid4()}", salt=None)
            rows[year] = int(load.table_counts()["rows_loaded"].sum())
    return {"rows_loaded": rows}


def gates(db: Path, engine: str, marts: bool) -> dict:
    started = time.perf_counter()
    from pipeline.quality import MART_SUITES, RAW_SUITES, run_suite
    from pipeline.warehouse.db import connect

    startup = 0.0
    if engine in ("auto", "gx"):
        from pipeline.quality.gx_engine import context

        t = time.perf_counter()
        context()
        startup = time.perf_counter() - t
    imported = time.perf_counter() - started
    suites = list(RAW_SUITES.values()) + (list(MART_SUITES.values()) if marts else [])
    out = []
    t_all = time.perf_counter()
    with connect(db, read_only=True) as con:
        for suite in suites:
            result = run_suite(con, suite, YEAR, engine=engine)
            out.append(
                {
                    "suite": suite,
                    "rows": result.rows,
                    "expectations": len(result.results),
                    "engine_of_column_checks": sorted(
                        {r.engine for r in result.results if r.expectation_type != "unexpected_rows_expectation"}
                    ),
                    "seconds": result.seconds,
                    "split": result.engines,
                    "errors": len(result.errors),
                    "warnings": len(result.warnings),
                }
            )
    validate = time.perf_counter() - t_all
    return {
        "engine": engine,
        "import_and_gx_context_seconds": round(imported, 2),
        "gx_context_seconds": round(startup, 2),
        "validate_seconds": round(validate, 2),
        "raw_validate_seconds": round(sum(s["seconds"] for s in out if s["suite"].startswith("raw_")), 2),
        "suites": out,
    }


def child(phase: str, raw: Path, db: Path, engine: str, marts: bool) -> None:
    started = time.perf_counter()
    result = ingest(raw, db) if phase == "ingest" else gates(db, engine, marts)
    result["process_seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_marts(db: Path) -> float:
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "EQUITY_WAREHOUSE": str(db),
        "EQUITY_BUILD_DATABASE": str(db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }
    target = HERE / ".data" / "dbt-target"
    started = time.perf_counter()
    subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(REPO / "dbt_project"),
            "--profiles-dir",
            str(REPO / "dbt_project"),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
        ],
        check=True,
        env=env,
        cwd=REPO,
        capture_output=True,
    )
    return round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="province", choices=["county", "province", "nation"])
    parser.add_argument(
        "--engines",
        nargs="+",
        default=None,
        choices=["auto", "sql", "gx"],
        help="default: auto sql gx (province), auto sql (nation)",
    )
    parser.add_argument("--marts", action="store_true", help="also build the dbt marts and time the mart suites")
    parser.add_argument("--reingest", action="store_true", help="load the CSV files again even if the database exists")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        phase, raw, db, engine, marts = args.child
        child(phase, Path(raw), Path(db), engine, marts == "1")
        return

    raw = generate(args.size)
    db = HERE / ".data" / f"{args.size}-gates.duckdb"
    report: dict = {"size": args.size, "year": YEAR, "machine": f"{os.cpu_count()} cores, {platform.python_version()}"}
    report["csv_mb"] = round(sum(p.stat().st_size for y in YEARS for p in (raw / str(y)).iterdir()) / 1e6)
    out = HERE / "results" / f"gates-{args.size}.json"
    if args.reingest or not db.exists():
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
        print(f"loading {args.size} years {YEARS} into {db.relative_to(REPO)} …", flush=True)
        report["ingest"] = run_child("ingest", str(raw), str(db), "-", "0")
    elif out.exists():  # the database is reused: keep the figures of the load that made it
        report["ingest"] = json.loads(out.read_text()).get("ingest")
    if args.marts:
        print("building the dbt marts …", flush=True)
        report["dbt_build_seconds"] = build_marts(db)
    # Read the database file once so that no engine pays for a cold OS file cache (the first
    # process after the load would otherwise be up to 2x slower on the nation size).
    with open(db, "rb") as handle:
        while handle.read(1 << 24):
            pass
    engines = args.engines or (["auto", "sql", "gx"] if args.size != "nation" else ["auto", "sql"])
    report["runs"] = {}
    for engine in engines:
        print(f"gates, engine {engine} …", flush=True)
        report["runs"][engine] = run_child("gates", str(raw), str(db), engine, "1" if args.marts else "0")

    print(f"\n{args.size} census, year {YEAR} validated (previous year {YEARS[0]} for the year-over-year checks)\n")
    first = next(iter(report["runs"].values()))
    header = f"{'suite':<32}{'rows':>12}" + "".join(f"{e + ' s':>10}" for e in report["runs"])
    print(header)
    for i, s in enumerate(first["suites"]):
        print(
            f"{s['suite']:<32}{s['rows']:>12,}"
            + "".join(f"{r['suites'][i]['seconds']:>10.2f}" for r in report["runs"].values())
        )
    print(
        f"{'validation, raw suites':<44}"
        + "".join(f"{r['raw_validate_seconds']:>10.2f}" for r in report["runs"].values())
    )
    print(
        f"{'GX import + context (once a process)':<44}"
        + "".join(f"{r['gx_context_seconds']:>10.2f}" for r in report["runs"].values())
    )
    print(f"{'whole process':<44}" + "".join(f"{r['process_seconds']:>10.2f}" for r in report["runs"].values()))
    print(f"{'peak RSS MB':<44}" + "".join(f"{r['peak_rss_mb']:>10,}" for r in report["runs"].values()))
    failed = {e: [s["suite"] for s in r["suites"] if s["errors"]] for e, r in report["runs"].items()}
    print(f"\nsuites with errors: {failed}")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
