"""The documentation is complete and stands alone: what a user can type or set is written down.

Every `equity` sub-command is described in README.md or docs/, every `EQUITY_*` variable the code
reads is in docs/configuration.md (and nothing there is a variable no code reads), no file of the
repository points outside it, the README stays a short guide, its links lead to files that exist, and
its performance table is the one benchmarks/results/ holds.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
CONFIGURATION = DOCS / "configuration.md"
CODE_FOLDERS = ("pipeline", "benchmarks", "synthetic")
VARIABLE = re.compile(r"\bEQUITY_[A-Z_]+[A-Z]\b")
# Settings read by the code, the project's Makefile or the dependencies it configures, that are not EQUITY_*.
OTHER_SETTINGS = ("DAGSTER_HOME", "_RJEM_MALLOC_CONF")
# Written split, so that this file does not name what it looks for.
OUTSIDE_REFERENCES = ("../" + "shared", "shared" + "/spec")
README_LIMIT = 12 * 1024
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
RESULTS = REPO / "benchmarks" / "results"
BENCHMARKED_SIZES = ("province", "nation")


def user_docs() -> list[Path]:
    """README.md and docs/*.md, where a user looks (not docs/contract/, the vendored rules)."""
    return [README, *sorted(DOCS.glob("*.md")), *sorted((DOCS / "decisions").glob("*.md"))]


def user_docs_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in user_docs())


def sub_commands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


def variables_in_code() -> set[str]:
    """Every EQUITY_* name in the source of the code folders and the Makefile."""
    sources = [p for folder in CODE_FOLDERS for p in (REPO / folder).rglob("*.py")] + [REPO / "Makefile"]
    return {name for path in sources for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}


def test_the_cli_has_sub_commands_to_document():
    assert {"run", "status", "sql", "report"} <= set(sub_commands())


@pytest.mark.parametrize("command", sub_commands())
def test_every_equity_sub_command_is_documented(command):
    assert re.search(rf"\bequity {command}\b", user_docs_text()), (
        f"`equity {command}` 未见于 README.md 或 docs/*.md / is not described in README.md or docs/*.md"
    )


def test_the_code_reads_equity_variables():
    assert {"EQUITY_WAREHOUSE", "EQUITY_PII_SALT", "EQUITY_LOCK_WAIT_SECONDS"} <= variables_in_code()


def test_every_equity_variable_the_code_reads_is_in_the_configuration_doc():
    documented = set(VARIABLE.findall(CONFIGURATION.read_text(encoding="utf-8")))
    missing = sorted(variables_in_code() - documented)
    assert not missing, f"docs/configuration.md 缺少 / lacks: {', '.join(missing)}"


def test_the_configuration_doc_names_no_variable_the_code_does_not_read():
    documented = set(VARIABLE.findall(CONFIGURATION.read_text(encoding="utf-8")))
    stale = sorted(documented - variables_in_code())
    assert not stale, f"docs/configuration.md 列出代码未读取的变量 / lists variables no code reads: {', '.join(stale)}"


@pytest.mark.parametrize("setting", OTHER_SETTINGS)
def test_the_other_settings_are_in_the_configuration_doc(setting):
    assert setting in CONFIGURATION.read_text(encoding="utf-8")


def test_the_readme_configuration_table_lists_every_equity_variable():
    readme = README.read_text(encoding="utf-8")
    missing = sorted(v for v in variables_in_code() if f"`{v}`" not in readme)
    assert not missing, f"README.md 的配置表缺少 / the README's configuration table lacks: {', '.join(missing)}"


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    paths = (REPO / name for name in listed.decode().split("\0") if name)
    return [path for path in paths if path.is_file()]


def test_no_file_of_the_repository_points_outside_it():
    offenders = [
        f"{path.relative_to(REPO)}: {reference}"
        for path in tracked_files()
        for reference in OUTSIDE_REFERENCES
        if reference.encode() in path.read_bytes()
    ]
    assert not offenders, "指向仓库之外 / references outside the repository:\n" + "\n".join(offenders)


def test_the_readme_is_a_short_guide():
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md 有 {size:,} 字节，上限 {README_LIMIT:,} / README.md is {size:,} bytes"


@pytest.mark.parametrize("doc", user_docs(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file_of_the_repository(doc):
    targets = [t for t in MARKDOWN_LINK.findall(doc.read_text(encoding="utf-8")) if "://" not in t]
    broken = [t for t in targets if not (doc.parent / t).resolve().exists()]
    assert not broken, f"{doc.relative_to(REPO)}: 链接无效 / broken links: {', '.join(broken)}"


def test_every_doc_is_linked_from_the_readme_or_another_doc():
    linked = {
        (doc.parent / target).resolve()
        for doc in user_docs()
        for target in MARKDOWN_LINK.findall(doc.read_text(encoding="utf-8"))
        if "://" not in target
    }
    orphans = [str(p.relative_to(REPO)) for p in user_docs()[1:] if p.resolve() not in linked]
    assert not orphans, f"无链接指向 / linked from nowhere: {', '.join(orphans)}"


def performance_row(size: str) -> str:
    """The table row of one size's end-to-end run, as README.md and docs/performance.md print it."""
    result = json.loads((RESULTS / f"run-{size}.json").read_text(encoding="utf-8"))
    run, stages = result["full_run"], result["full_run"]["stages"]
    cells = [
        size,
        f"{result['files']:,}",
        f"{sum(result['rows'].values()):,}",
        f"{result['bare_read']['seconds']:.1f}",
        f"{run['seconds']:.1f}",
        f"{run['cpu_seconds']:.1f}",
        *(f"{stages[stage]:.1f}" for stage in ("ingestion", "gates", "dbt")),
        f"{run['peak_tree_mb']:,}",
    ]
    return "| " + " | ".join(cells) + " |"


@pytest.mark.parametrize("doc", [README, DOCS / "performance.md"], ids=lambda p: p.name)
@pytest.mark.parametrize("size", BENCHMARKED_SIZES)
def test_the_performance_table_is_the_benchmark_result(doc, size):
    row = performance_row(size)
    assert row in doc.read_text(encoding="utf-8"), (
        f"{doc.name}: 性能表与 benchmarks/results/run-{size}.json 不符 / the table differs from the result; "
        f"the row should read:\n{row}"
    )
