"""Expectations evaluated by DuckDB where the data is.

Two kinds:

- `unexpected_rows_expectation`: SQL written in the suite file, for what GX
  cannot express on one table (cross-table, previous year, county medians);
  the query returns the offending rows.
- the GX column expectations of `suites.COLUMN_TYPES`, translated to SQL with
  GX's semantics (nulls are "missing" and not unexpected, except for
  `not_null`; `mostly`; uniqueness counts every row of a repeated value),
  used when a batch is too large for GX's pandas engine. The tests check that
  both engines give the same verdict and counts on every planted defect.

Every expectation returns a GX-shaped `result` dict (element_count,
unexpected_count, partial_unexpected_list, partial_unexpected_index_list, or
observed_value), so results of both engines are stored and rendered alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from pipeline.quality.results import plain
from pipeline.quality.suites import Expectation, Suite, render_query


def q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Outcome:
    success: bool
    result: dict[str, Any]
    sample_rows: list[dict[str, Any]]
    exception: str | None = None


@dataclass
class _Plan:
    """How to count one column expectation: the rows it looks at, and the unexpected ones among them."""

    domain: str  # SQL predicate: the rows counted (non-missing)
    unexpected: str  # SQL predicate, evaluated on domain rows
    value_columns: list[str]
    denominator_is_all: bool = False  # not_null: percent of all rows
    # A query giving the unexpected count directly, when one aggregate beats a per-row predicate (uniqueness).
    count_query: str | None = None
    # A cheaper query that is 0 exactly when the count query would give 0 (see _unique_plan).
    precheck_query: str | None = None

    def counted_sql(self) -> str:
        """The aggregate counting the domain rows (`count(col)`: DuckDB counts non-nulls without reading the values)."""
        column = _column_of(self.domain, "IS NOT NULL")
        return f"count({column})" if column else f"count(*) FILTER (WHERE {self.domain})"

    def unexpected_sql(self) -> str:
        """The aggregate counting the unexpected rows among the domain rows."""
        if self.count_query:
            return "0"
        column = _column_of(self.unexpected, "IS NULL")
        if self.domain == "true" and column:
            return f"count(*) - count({column})"
        return f"count(*) FILTER (WHERE ({self.domain}) AND ({self.unexpected}))"


def _column_of(predicate: str, test: str) -> str | None:
    """`"col" IS NULL` with test `IS NULL` (or `IS NOT NULL`) -> `"col"`; None for any other predicate."""
    match = re.fullmatch(rf'("(?:[^"]|"")+") {test}', predicate)
    return match[1] if match else None


def _unique_plan(relation: str, columns: list[str], ignore_row_if: str) -> _Plan:
    cols = ", ".join(q(c) for c in columns)
    if ignore_row_if == "any_value_is_missing":
        domain = " AND ".join(f"{q(c)} IS NOT NULL" for c in columns)
    elif ignore_row_if == "never":
        domain = "true"
    else:  # all_values_are_missing (GX's default); a single column is ignored when null
        domain = "(" + " OR ".join(f"{q(c)} IS NOT NULL" for c in columns) + ")"
    repeated = f"SELECT {cols} FROM {relation} WHERE {domain} GROUP BY ALL HAVING count(*) > 1"
    match = " AND ".join(f"__d.{q(c)} IS NOT DISTINCT FROM __r.{q(c)}" for c in columns)
    # Every row of a repeated value is unexpected (GX's count): the sum of the repeated groups' sizes.
    count_query = f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {relation} WHERE {domain} GROUP BY {cols} HAVING count(*) > 1)"
    # Equal values have equal hashes: as many distinct hashes as rows means no value is repeated, and
    # counting distinct 64-bit hashes is cheaper than grouping the values (10 million teacher ids).
    # Any repeated hash (a repeated value, or a collision) runs the exact count.
    precheck_query = f"SELECT count(*) - count(DISTINCT hash({cols})) FROM {relation} WHERE {domain}"
    return _Plan(
        domain=domain,
        unexpected=f"EXISTS (SELECT 1 FROM ({repeated}) __d WHERE {match})",
        value_columns=columns,
        count_query=count_query,
        precheck_query=precheck_query,
    )


def plan_column_expectation(expectation: Expectation, kwargs: dict[str, Any], relation: str) -> _Plan:
    kind = expectation.type
    if kind == "expect_column_values_to_not_be_null":
        column = q(kwargs["column"])
        return _Plan(
            domain="true", unexpected=f"{column} IS NULL", value_columns=[kwargs["column"]], denominator_is_all=True
        )
    if kind == "expect_column_values_to_be_in_set":
        column = q(kwargs["column"])
        values = ", ".join(literal(v) for v in kwargs["value_set"]) or "NULL"
        return _Plan(
            domain=f"{column} IS NOT NULL", unexpected=f"{column} NOT IN ({values})", value_columns=[kwargs["column"]]
        )
    if kind == "expect_column_values_to_be_between":
        column = q(kwargs["column"])
        bounds = []
        if kwargs.get("min_value") is not None:
            bounds.append(f"{column} {'>' if kwargs.get('strict_min') else '>='} {literal(kwargs['min_value'])}")
        if kwargs.get("max_value") is not None:
            bounds.append(f"{column} {'<' if kwargs.get('strict_max') else '<='} {literal(kwargs['max_value'])}")
        return _Plan(
            domain=f"{column} IS NOT NULL",
            unexpected=f"NOT ({' AND '.join(bounds) or 'true'})",
            value_columns=[kwargs["column"]],
        )
    if kind == "expect_column_values_to_match_regex":
        column = q(kwargs["column"])
        return _Plan(
            domain=f"{column} IS NOT NULL",
            unexpected=f"NOT regexp_matches(CAST({column} AS VARCHAR), {literal(kwargs['regex'])})",
            value_columns=[kwargs["column"]],
        )
    if kind == "expect_column_values_to_be_unique":
        return _unique_plan(relation, [kwargs["column"]], "any_value_is_missing")
    if kind == "expect_compound_columns_to_be_unique":
        return _unique_plan(
            relation, list(kwargs["column_list"]), kwargs.get("ignore_row_if", "all_values_are_missing")
        )
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = q(kwargs["column_A"]), q(kwargs["column_B"])
        ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
        domain = {
            "both_values_are_missing": f"({a} IS NOT NULL OR {b} IS NOT NULL)",
            "either_value_is_missing": f"({a} IS NOT NULL AND {b} IS NOT NULL)",
            "neither": "true",
        }[ignore]
        op = ">=" if kwargs.get("or_equal") else ">"
        return _Plan(
            domain=domain,
            unexpected=f"NOT coalesce({a} {op} {b}, false)",
            value_columns=[kwargs["column_A"], kwargs["column_B"]],
        )
    raise ValueError(f"the SQL engine cannot evaluate {kind}")


def _success(unexpected: int, counted: int, mostly: float) -> bool:
    if counted == 0:
        return True
    return (counted - unexpected) / counted >= mostly


def evaluate_column_expectations(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    items: list[tuple[Expectation, dict[str, Any]]],
    relation: str,
    id_columns: list[str],
    sample_size: int,
) -> dict[str, Outcome]:
    """The GX column expectations `items` (with parameters resolved) on `relation`, by expectation name."""
    outcomes: dict[str, Outcome] = {}
    total = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    plans: dict[str, _Plan] = {}
    for expectation, kwargs in items:
        if expectation.type == "expect_table_row_count_to_be_between":
            low, high = kwargs.get("min_value"), kwargs.get("max_value")
            ok = (low is None or total >= low) and (high is None or total <= high)
            outcomes[expectation.name] = Outcome(ok, {"observed_value": total}, [])
        else:
            plans[expectation.name] = plan_column_expectation(expectation, kwargs, relation)
    if not plans:
        return outcomes
    # One scan for every map expectation: rows counted and unexpected rows per expectation.
    aggregates = []
    for plan in plans.values():
        aggregates.append(plan.counted_sql())
        aggregates.append(plan.unexpected_sql())
    counts = con.execute(f"SELECT {', '.join(aggregates)} FROM {relation} __r").fetchone()
    by_name = {e.name: (e, k) for e, k in items}
    for i, (name, plan) in enumerate(plans.items()):
        counted, unexpected = counts[2 * i], counts[2 * i + 1]
        if plan.count_query:
            repeated = con.execute(plan.precheck_query).fetchone()[0] if plan.precheck_query else None
            unexpected = 0 if repeated == 0 else int(con.execute(plan.count_query).fetchone()[0])
        expectation, kwargs = by_name[name]
        denominator = total if plan.denominator_is_all else counted
        success = _success(unexpected, denominator, float(kwargs.get("mostly", 1)))
        missing = total - counted
        result: dict[str, Any] = {
            "element_count": total,
            "unexpected_count": unexpected,
            "unexpected_percent": 100.0 * unexpected / denominator if denominator else None,
            "partial_unexpected_list": [],
            "partial_unexpected_counts": [],
            "partial_unexpected_index_list": [],
            "unexpected_index_column_names": list(id_columns),
        }
        if not plan.denominator_is_all:
            result.update(
                missing_count=missing,
                missing_percent=100.0 * missing / total if total else None,
                unexpected_percent_total=100.0 * unexpected / total if total else None,
                unexpected_percent_nonmissing=100.0 * unexpected / counted if counted else None,
            )
        samples: list[dict[str, Any]] = []
        if unexpected:
            samples, values, value_counts = _samples(con, relation, plan, id_columns, sample_size)
            result["partial_unexpected_list"] = values
            result["partial_unexpected_counts"] = value_counts
            result["partial_unexpected_index_list"] = samples
        outcomes[name] = Outcome(success, plain(result), plain(samples))
    return outcomes


def _samples(con, relation: str, plan: _Plan, id_columns: list[str], n: int):
    cols = list(dict.fromkeys([*id_columns, *plan.value_columns]))
    select = ", ".join(q(c) for c in cols)
    where = f"({plan.domain}) AND ({plan.unexpected})"
    order = ", ".join(q(c) for c in cols)
    cursor = con.execute(f"SELECT {select} FROM {relation} __r WHERE {where} ORDER BY {order} LIMIT {int(n)}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    if len(plan.value_columns) == 1:
        values = [r[plan.value_columns[0]] for r in rows]
    elif len(plan.value_columns) == 2 and "EXISTS" not in plan.unexpected:
        values = [[r[c] for c in plan.value_columns] for r in rows]
    else:
        values = [{c: r[c] for c in plan.value_columns} for r in rows]
    value_cols = ", ".join(q(c) for c in plan.value_columns)
    counted = con.execute(
        f"SELECT {value_cols}, count(*) AS n FROM {relation} __r WHERE {where} GROUP BY ALL ORDER BY n DESC, {value_cols} LIMIT {int(n)}"
    ).fetchall()
    value_counts = [
        {"value": row[0] if len(plan.value_columns) == 1 else list(row[:-1]), "count": row[-1]} for row in counted
    ]
    return rows, values, value_counts


def evaluate_sql_expectation(
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    expectation: Expectation,
    year: int,
    previous_year: int | None,
    parameters: dict[str, Any],
    sample_size: int,
) -> Outcome:
    """An `unexpected_rows_expectation`: it passes when its query returns no row."""
    query = render_query(expectation.kwargs["unexpected_rows_query"], suite, year, previous_year, parameters)
    cursor = con.execute(f"SELECT *, count(*) OVER () AS __unexpected_rows FROM ({query}) __q LIMIT {int(sample_size)}")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    count = rows[0]["__unexpected_rows"] if rows else 0
    sample = [{k: v for k, v in r.items() if k != "__unexpected_rows"} for r in rows]
    result = {"observed_value": count, "details": {"unexpected_rows": plain(sample)}}
    if previous_year is None and ("previous" in expectation.kwargs["unexpected_rows_query"]):
        result["details"]["note"] = "no earlier year in the warehouse to compare with"
    return Outcome(count == 0, result, plain(sample))
