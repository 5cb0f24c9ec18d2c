"""The expectation suites of `expectations/`: loading, checking and filling in their parameters.

A suite file is a Great Expectations 1.x expectation suite written as YAML
(the same keys as GX's JSON: `name`, `meta`, `expectations` with `type`,
`kwargs`, `meta`), so `gx.ExpectationSuite(**data)` loads it unchanged. On
top of GX's format we require, per expectation, `meta.name` (a stable slug,
unique in the suite: the `expectation` column of `audit.quality_results`),
`meta.severity` (`error` blocks the year, `warn` reports) and
`meta.description` (what is wrong and how the data clerk fixes the file;
`description_zh` in Chinese). Suite-level `meta`:

- `table`: the table validated, `raw.classes` or `marts.county_cv`;
- `id_columns`: columns that locate an offending row (for raw tables the
  file, sheet and row number, then the keys), shown in every sample;
- `parameters`: the thresholds, used by GX kwargs as `{$PARAMETER: name}`
  and by SQL expectations as `{name}`; `census_year` is always given.

Expectations of type `unexpected_rows_expectation` are SQL run by DuckDB: the
query selects the offending rows; placeholders `{batch}` (the table's rows of
the year validated), `{previous_batch}`, `{raw.schools}` (another table's
rows of the same year), `{raw.schools@previous}`, `{year}`,
`{previous_year}` and the parameters are filled in by `render_query`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from pipeline.settings import PROJECT_ROOT

SUITES_DIR = PROJECT_ROOT / "expectations"
SEVERITIES = ("error", "warn")
SQL_TYPE = "unexpected_rows_expectation"
# GX expectation types the SQL engine can also evaluate (pipeline/quality/sql_engine.py).
COLUMN_TYPES = (
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_be_between",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_table_row_count_to_be_between",
)
SUPPORTED_TYPES = (*COLUMN_TYPES, SQL_TYPE)
RELATION = re.compile(
    r"^(?:(?P<schema>[a-z_]+)\.(?P<table>[a-z_]+)|(?P<batch>batch|previous_batch))(?P<previous>@previous)?$"
)


class SuiteError(ValueError):
    """A suite file that does not follow the format above."""


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    meta: dict[str, Any]

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def severity(self) -> str:
        return self.meta["severity"]

    @property
    def is_sql(self) -> bool:
        return self.type == SQL_TYPE

    @property
    def columns(self) -> list[str]:
        """The columns a GX expectation reads (none for SQL and table-level ones)."""
        k = self.kwargs
        if "column" in k:
            return [k["column"]]
        if "column_list" in k:
            return list(k["column_list"])
        if "column_A" in k:
            return [k["column_A"], k["column_B"]]
        return []

    def to_gx_dict(self) -> dict[str, Any]:
        """The expectation as GX configures it; GX's own severity mirrors ours (error = critical)."""
        return {
            "type": self.type,
            "kwargs": dict(self.kwargs),
            "meta": dict(self.meta),
            "severity": "critical" if self.severity == "error" else "warning",
        }


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    id_columns: tuple[str, ...]
    parameters: dict[str, Any]
    expectations: tuple[Expectation, ...]
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def schema(self) -> str:
        return self.table.split(".")[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".")[1]

    @property
    def gx_max_rows(self) -> int | None:
        value = self.meta.get("gx_max_rows")
        return int(value) if value is not None else None

    def expectation(self, name: str) -> Expectation:
        return next(e for e in self.expectations if e.name == name)

    def to_gx_dict(self) -> dict[str, Any]:
        return {"name": self.name, "meta": dict(self.meta), "expectations": [e.to_gx_dict() for e in self.expectations]}


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise SuiteError(f"{where}: {message}")


def parse_suite(data: dict[str, Any], path: Path | None = None) -> Suite:
    where = str(path or data.get("name", "suite"))
    _check(isinstance(data, dict) and isinstance(data.get("name"), str), where, "a suite needs a `name`")
    meta = data.get("meta") or {}
    table = meta.get("table", "")
    _check(bool(re.match(r"^[a-z_]+\.[a-z_]+$", table)), where, "meta.table must be `schema.table`")
    parameters = dict(meta.get("parameters") or {})
    expectations = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("expectations") or []):
        e_where = f"{where} expectation {i + 1}"
        _check(
            item.get("type") in SUPPORTED_TYPES,
            e_where,
            f"type {item.get('type')!r} is not one of {', '.join(SUPPORTED_TYPES)}",
        )
        e_meta = item.get("meta") or {}
        name = e_meta.get("name")
        _check(
            isinstance(name, str) and re.match(r"^[a-z0-9_]+$", name or "") is not None,
            e_where,
            "meta.name must be a slug (a-z, 0-9, _)",
        )
        _check(name not in seen, e_where, f"meta.name {name!r} is used twice")
        seen.add(name)
        _check(e_meta.get("severity") in SEVERITIES, e_where, f"meta.severity must be one of {SEVERITIES}")
        _check(
            bool(str(e_meta.get("description") or "").strip()),
            e_where,
            "meta.description (what is wrong, how to fix the file) is required",
        )
        kwargs = dict(item.get("kwargs") or {})
        if item["type"] == SQL_TYPE:
            query = kwargs.get("unexpected_rows_query", "")
            _check("{batch}" in query, e_where, "an unexpected_rows_query must use {batch}")
            for name_ in _fields(query):
                _check(
                    bool(RELATION.match(name_)) or name_ in parameters or name_ in ("year", "previous_year"),
                    e_where,
                    f"unknown placeholder {{{name_}}} (not a relation, year or suite parameter)",
                )
        for value in kwargs.values():
            if isinstance(value, dict) and "$PARAMETER" in value:
                _check(
                    value["$PARAMETER"] in parameters or value["$PARAMETER"] == "census_year",
                    e_where,
                    f"unknown parameter {value['$PARAMETER']!r}",
                )
        expectations.append(Expectation(type=item["type"], kwargs=kwargs, meta=dict(e_meta)))
    _check(bool(expectations), where, "a suite without expectations")
    return Suite(
        name=data["name"],
        table=table,
        id_columns=tuple(meta.get("id_columns") or ()),
        parameters=parameters,
        expectations=tuple(expectations),
        path=path,
        meta=dict(meta),
    )


def load_suite_file(path: Path) -> Suite:
    with open(path, encoding="utf-8") as handle:
        return parse_suite(yaml.safe_load(handle), path)


@cache
def _load_dir(directory: str) -> dict[str, Suite]:
    suites = {}
    for path in sorted(Path(directory).glob("*.yml")):
        suite = load_suite_file(path)
        if suite.name in suites:
            raise SuiteError(f"{path}: suite name {suite.name!r} is also used by {suites[suite.name].path}")
        suites[suite.name] = suite
    return suites


def load_suites(directory: Path | str = SUITES_DIR) -> dict[str, Suite]:
    """Every suite of the folder, by name (cached per folder: the files are read once per process)."""
    return dict(_load_dir(str(Path(directory).resolve())))


def load_suite(name: str, directory: Path | str = SUITES_DIR) -> Suite:
    suites = load_suites(directory)
    if name not in suites:
        raise SuiteError(f"no suite {name!r} in {directory} (there are: {', '.join(sorted(suites))})")
    return suites[name]


def suite_for_table(table: str, directory: Path | str = SUITES_DIR) -> Suite:
    """The suite whose `meta.table` is `table` (`raw.classes`)."""
    matches = [s for s in load_suites(directory).values() if s.table == table]
    if len(matches) != 1:
        raise SuiteError(f"{len(matches)} suites validate {table} in {directory}; expected exactly one")
    return matches[0]


def _fields(query: str) -> list[str]:
    return [f for _, f, _, _ in Formatter().parse(query) if f is not None]


def resolve_parameters(value: Any, parameters: dict[str, Any]) -> Any:
    """`{$PARAMETER: name}` -> its value, recursively (GX does the same when it validates)."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return parameters[value["$PARAMETER"]]
        return {k: resolve_parameters(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_parameters(v, parameters) for v in value]
    return value


def render_query(query: str, suite: Suite, year: int, previous_year: int | None, parameters: dict[str, Any]) -> str:
    """The SQL of an unexpected_rows_expectation with its placeholders filled in (`{{`/`}}` are literal braces)."""

    def relation(name: str) -> str:
        match = RELATION.match(name)
        assert match is not None
        if match["batch"]:
            table, previous = suite.table, match["batch"] == "previous_batch" or bool(match["previous"])
        else:
            table, previous = f"{match['schema']}.{match['table']}", bool(match["previous"])
        wanted = previous_year if previous else year
        if wanted is None:
            return f"(SELECT * FROM {table} WHERE false)"
        return f"(SELECT * FROM {table} WHERE year = {int(wanted)})"

    out = []
    for literal, name, spec, conversion in Formatter().parse(query):
        out.append(literal)
        if name is None:
            continue
        if spec or conversion:
            raise SuiteError(f"{suite.name}: placeholder {{{name}}} may not have a format spec or conversion")
        if name == "year":
            out.append(str(int(year)))
        elif name == "previous_year":
            out.append("NULL" if previous_year is None else str(int(previous_year)))
        elif name in parameters:
            out.append(_sql_literal(parameters[name]))
        else:
            out.append(relation(name))
    return "".join(out)


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_sql_literal(v) for v in value) + ")"
    return "'" + str(value).replace("'", "''") + "'"
