"""`equity run` end to end at county, province and nation size, against the bare read of the same files.

    python benchmarks/run.py [--size county|province|nation ...] [--format csv|parquet]

For each size (default: province), in one process run:

1. the census years 2023 and 2024 are generated with `synthetic.generator`, one file per
   county and table (`classes_530102.csv`, ...), under benchmarks/.data/ (once, then reused);
2. floor: DuckDB reads 2024's files into a new database, one table per census table, types
   detected, nothing checked (a fresh process; its time and peak memory). The files of both
   years are read once before, so that the floor and every run read them from memory;
3. full run: `equity run --years 2024 --no-reports` on a fresh warehouse with its own
   DAGSTER_HOME (both in a temporary folder): wall time, peak memory of the whole process tree
   (equity, dbt, ...), and each stage's time as the Dagster run recorded it (ingestion, quality
   gates, dbt, publish; "start-up" is the rest: process start, loading the definitions, the
   summary). This is end to end: once it returns, the warehouse is published and queryable;
4. history: `equity run --years 2023 --no-reports`, so the warehouse holds two years like a real one;
5. the report of one county on its own: `equity report --county C --year 2024`;
6. every county's report of 2024: `equity report --year 2024` (the `county_reports` job that
   follows each publication does the same, one process per core); not at nation size unless
   `--all-reports` (2,000 reports: tens of minutes);
7. nightly: one class of one county's file changed; the years to run are those the nightly
   schedule would pick (pipeline.ingest.changes.changed_years: files differing from the last
   published load), then `equity run --years <those> --no-reports`; it must redo 2024 only.

Prints a table and writes benchmarks/results/run-<size>.json. Other work on the machine slows
every figure: the 1-minute load average before and after each step is recorded with it, and
each step's CPU seconds (the process and those it waited for), which vary less. Each step
starts once the disk has written what the last one left in memory (`sync`).

Every process runs from the virtualenv as `make setup` leaves it, bytecode compiled (see the
Makefile), as an installed server runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

import measure  # noqa: E402

YEAR, PREVIOUS = 2024, 2023
TABLES = ("schools", "classes", "teachers", "facilities", "rooms", "finance", "county")
# Dagster step -> stage of the table; any other step is a quality gate (an asset check step).
STAGES = {"raw_census": "ingestion", "census_dbt_models": "dbt", "warehouse__published": "publish"}
COLUMNS = ("ingestion", "gates", "dbt", "publish", "start-up")
OPTIONS = argparse.Namespace(all_reports=False)


# --------------------------------------------------------------------------- data


def data_dir(size: str, fmt: str) -> Path:
    return HERE / ".data" / f"{size}-{fmt}-counties"


def generate(size: str, fmt: str) -> Path:
    raw = data_dir(size, fmt)
    for year in (PREVIOUS, YEAR):
        done = raw / f".{year}.complete"
        if done.exists():
            continue
        shutil.rmtree(raw / str(year), ignore_errors=True)
        print(
            f"generating the {size}-size census year {year} ({fmt}, one file per county) under {raw.relative_to(REPO)} …",
            flush=True,
        )
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
                fmt,
                "--out",
                str(raw),
                "--split-by-county",
            ],
            check=True,
            cwd=REPO,
        )
        done.touch()
    restore(raw)
    return raw


def year_files(raw: Path, year: int) -> list[Path]:
    return sorted(p for p in (raw / str(year)).iterdir() if p.is_file() and not p.name.startswith("."))


def backup_of(path: Path) -> Path:
    return path.with_name(f".{path.name}.orig")  # hidden: the ingestion skips dot files


def change_one_class(raw: Path, fmt: str) -> tuple[str, Path]:
    """One more student in the first class of the first county's classes file; returns (county, file)."""
    import polars as pl

    path = next(p for p in year_files(raw, YEAR) if p.name.startswith("classes_"))
    shutil.copyfile(path, backup_of(path))
    frame = pl.read_csv(path, infer_schema=False) if fmt == "csv" else pl.read_parquet(path)
    students = frame.get_column("students")
    changed = frame.with_columns(students.scatter(0, str(int(students[0]) + 1) if fmt == "csv" else students[0] + 1))
    if fmt == "csv":
        changed.write_csv(path)
    else:
        changed.write_parquet(path, compression="zstd")
    return path.stem.split("_", 1)[1], path


def restore(raw: Path) -> None:
    """Put back any file changed by an earlier (perhaps interrupted) run of this benchmark."""
    for backup in (raw / str(YEAR)).glob(".*.orig"):
        os.replace(backup, backup.with_name(backup.name[1:].removesuffix(".orig")))


# --------------------------------------------------------------------------- floor


def bare_read(raw: Path, db: Path, fmt: str) -> dict:
    """Child process: every file of the year into DuckDB, one table per census table, types detected."""
    import duckdb

    by_table: dict[str, list[str]] = defaultdict(list)
    for path in year_files(raw, YEAR):
        by_table[path.stem.split("_", 1)[0]].append(str(path))
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    rows = {}
    with duckdb.connect(str(db)) as con:
        for table, paths in by_table.items():
            con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM {reader}(?)', [paths])
            rows[table] = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return {"files": sum(len(p) for p in by_table.values()), "rows": rows}


def warm_page_cache(files: list[Path]) -> None:
    """Read every file once, so that the bare read and the runs all read them from memory.

    The files were written long ago, or the machine reclaims idle page cache: otherwise the
    first step to read them (the bare read) would wait for the disk, and the others not.
    """
    for path in files:
        with open(path, "rb") as handle:
            while handle.read(1 << 24):
                pass


def measure_bare_read(raw: Path, fmt: str, tmp: Path) -> dict:
    result = tmp / "bare.json"
    measured = measure.run(
        [
            sys.executable,
            __file__,
            "--child",
            "bare",
            "--raw",
            str(raw),
            "--format",
            fmt,
            "--db",
            str(tmp / "bare.duckdb"),
            "--out",
            str(result),
        ],
        cwd=REPO,
    )
    if measured.returncode:
        raise SystemExit("the bare read failed")
    (tmp / "bare.duckdb").unlink()
    return {**json.loads(result.read_text()), **measured.as_dict()}


# --------------------------------------------------------------------------- equity


def equity(args: list[str], home: Path, log: Path) -> measure.Measured:
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return measure.run([sys.executable, "-m", "pipeline", *args], env=env, cwd=REPO, log=log)


def stage_times(home: Path, since: float) -> tuple[list[dict], float]:
    """Per Dagster run started after `since`: its year and each stage's seconds; and the runs' total seconds."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(home))
    runs, total = [], 0.0
    for record in reversed(instance.get_run_records()):
        stats = instance.get_run_stats(record.dagster_run.run_id)
        if not stats.start_time or stats.start_time < since:
            continue
        stages: Counter[str] = Counter()
        for step in instance.get_run_step_stats(record.dagster_run.run_id):
            if step.start_time and step.end_time:
                stages[STAGES.get(step.step_key, "gates")] += step.end_time - step.start_time
        seconds = (stats.end_time or stats.start_time) - stats.start_time
        total += seconds
        runs.append(
            {
                "year": int(record.dagster_run.tags.get("dagster/partition", 0)),
                "status": record.dagster_run.status.value,
                "run_seconds": round(seconds, 2),
                "stages": {k: round(v, 2) for k, v in stages.items()},
            }
        )
    instance.dispose()
    return runs, total


def measure_run(years: list[int], raw: Path, warehouse: Path, home: Path, name: str) -> dict:
    since = time.time()
    log = warehouse.parent / f"{name}.log"
    measured = equity(
        ["run", "--raw", str(raw), "--warehouse", str(warehouse), "--years", *map(str, years), "--no-reports"],
        home,
        log,
    )
    runs, in_runs = stage_times(home, since)
    if measured.returncode:
        print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise SystemExit(f"equity run ({name}) failed; log: {log}")
    stages = Counter()
    for run in runs:
        stages.update(run["stages"])
    stages["start-up"] = max(measured.seconds - in_runs, 0.0)
    return {
        "command": f"equity run --raw <data> --warehouse <tmp> --years {' '.join(map(str, years))} --no-reports",
        **measured.as_dict(),
        "stages": {k: round(v, 2) for k, v in stages.items()},
        "runs": runs,
    }


def measure_reports(warehouse: Path, home: Path, tmp: Path, county: str | None = None) -> dict:
    """`equity report` for one county, or (county None) for every county of the year."""
    which = ["--county", county] if county else []
    out = tmp / f"reports-{county or 'all'}"
    log = tmp / f"report-{county or 'all'}.log"
    measured = equity(
        ["report", *which, "--year", str(YEAR), "--warehouse", str(warehouse), "--out", str(out)], home, log
    )
    if measured.returncode:
        raise SystemExit(f"equity report failed; log: {log}")
    counties = len(list(out.glob("*.html")))
    return {
        "command": f"equity report {' '.join(which)} --year {YEAR}".replace("  ", " "),
        "counties": counties,
        **measured.as_dict(),
    }


def nightly_years(raw: Path, warehouse: Path) -> list[int]:
    """The years the nightly schedule would run: files differing from the year's last published load."""
    from pipeline.ingest.changes import changed_years
    from pipeline.warehouse.db import connect
    from pipeline.warehouse.publish import build_path_for

    with connect(build_path_for(warehouse), read_only=True) as con:
        return sorted(changed_years(raw, con))


# --------------------------------------------------------------------------- one size


def bench(size: str, fmt: str) -> dict:
    raw = generate(size, fmt)
    files = year_files(raw, YEAR)
    result: dict = {
        "size": size,
        "format": fmt,
        "year": YEAR,
        "machine": f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GB, Python {platform.python_version()}",
        "files": len(files),
        "mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
    }
    with tempfile.TemporaryDirectory(prefix=f"equity-bench-{size}-") as tmp_name:
        tmp = Path(tmp_name)
        warehouse, home = tmp / "warehouse" / "equity.duckdb", tmp / "dagster_home"
        warehouse.parent.mkdir()
        print(f"[{size}] bare DuckDB read of {len(files):,} files ({result['mb']:,.0f} MB) …", flush=True)
        warm_page_cache(year_files(raw, PREVIOUS) + files)
        result["bare_read"] = measure_bare_read(raw, fmt, tmp)
        result["rows"] = result["bare_read"]["rows"]
        print(f"[{size}] equity run, year {YEAR}, fresh warehouse …", flush=True)
        result["full_run"] = measure_run([YEAR], raw, warehouse, home, "full")
        print(f"[{size}] equity run, year {PREVIOUS} (a second year in the warehouse) …", flush=True)
        result["history_run"] = measure_run([PREVIOUS], raw, warehouse, home, "history")
        county = sorted({p.stem.split("_", 1)[1] for p in files if p.name.startswith("schools_")})[0]
        print(f"[{size}] equity report, county {county} …", flush=True)
        result["report"] = measure_reports(warehouse, home, tmp, county)
        if size != "nation" or OPTIONS.all_reports:  # the nation's 2,000 reports take tens of minutes
            print(f"[{size}] equity report, every county of {YEAR} …", flush=True)
            result["reports"] = measure_reports(warehouse, home, tmp)
        changed_county, changed_file = change_one_class(raw, fmt)
        try:
            years = nightly_years(raw, warehouse)
            print(f"[{size}] nightly: {changed_file.name} changed, the schedule picks {years} …", flush=True)
            result["nightly"] = {
                "changed_file": changed_file.name,
                "years_picked": years,
                **measure_run(years, raw, warehouse, home, "nightly"),
            }
        finally:
            restore(raw)
        result["nightly"]["county"] = changed_county
    return result


# --------------------------------------------------------------------------- output


def _cell(value: float | None, width: int = 9) -> str:
    return f"{'n/a':>{width}}" if value is None else f"{value:>{width}.1f}"


def print_table(results: list[dict]) -> None:
    print()
    print(
        f"{'size':<9}{'step':<11}{'files':>7}{'MB':>8}{'rows':>12}{'total s':>9}"
        + "".join(f"{c[:9]:>10}" for c in COLUMNS)
        + f"{'peak MB':>9}{'load':>6}"
    )
    for r in results:
        rows = sum(r["rows"].values())
        bare = r["bare_read"]
        print(
            f"{r['size']:<9}{'bare read':<11}{r['files']:>7,}{r['mb']:>8,.0f}{rows:>12,}{_cell(bare['seconds'])}"
            + " " * 10 * len(COLUMNS)
            + f"{bare['peak_tree_mb']:>9,}{bare['load_before']:>6.1f}"
        )
        for step in ("full_run", "history_run", "nightly"):
            m = r[step]
            print(
                f"{'':<9}{step.replace('_run', '').replace('full', f'run {YEAR}').replace('history', f'run {PREVIOUS}'):<11}{'':>27}{_cell(m['seconds'])}"
                + "".join(_cell(m["stages"].get(c), 10) for c in COLUMNS)
                + f"{m['peak_tree_mb']:>9,}{m['load_before']:>6.1f}"
            )
        for step, name in (("report", "report 1"), ("reports", "reports")):
            if step not in r:
                continue
            rep = r[step]
            print(
                f"{'':<9}{name:<11}{rep['counties']:>7,}{'':>20}{_cell(rep['seconds'])}"
                + " " * 10 * len(COLUMNS)
                + f"{rep['peak_tree_mb']:>9,}{rep['load_before']:>6.1f}"
            )
    print()
    for r in results:
        full, night = r["full_run"], r["nightly"]
        print(
            f"{r['size']}: end to end {full['seconds']:.1f} s = {full['seconds'] / r['bare_read']['seconds']:.1f}x the bare read "
            f"({r['bare_read']['seconds']:.1f} s); nightly after {night['changed_file']} changed: years {night['years_picked']}, "
            f"{night['seconds']:.1f} s vs {full['seconds'] + r['history_run']['seconds']:.1f} s for both years"
        )


def child(args: argparse.Namespace) -> None:
    result = bare_read(args.raw, args.db, args.format)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    args.out.write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", action="append", choices=["county", "province", "nation"], help="repeatable (default: province)"
    )
    parser.add_argument("--format", default="csv", choices=["csv", "parquet"])
    parser.add_argument(
        "--all-reports",
        action="store_true",
        help="time every county's report at nation size too (default: county and province only)",
    )
    parser.add_argument("--child", choices=["bare"], help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(namespace=OPTIONS)
    if args.child:
        child(args)
        return
    results = []
    for size in args.size or ["province"]:
        result = bench(size, args.format)
        results.append(result)
        variant = "" if args.format == "csv" else f"-{args.format}"
        out = HERE / "results" / f"run-{size}{variant}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written to {out.relative_to(REPO)}", flush=True)
    print_table(results)


if __name__ == "__main__":
    main()
