"""What the engines skip to start and run faster changes nothing they compute.

- GX is imported with `scipy.stats` deferred (pipeline/quality/gx_engine.py): the expectations that
  use SciPy still get it, on first use, and later importers get the real module;
- the SQL engine's cheaper forms (non-null counts, the hash pre-check of uniqueness) give the
  counts of the plain translation, on values that are repeated, missing or unique.
"""

import subprocess
import sys

import duckdb

from pipeline.quality import load_suite, sql_engine
from pipeline.quality.suites import Expectation
from pipeline.settings import PROJECT_ROOT

STARTUP = """
import sys
from pipeline.quality import gx_engine
gx_engine.context()
assert "scipy.stats" not in sys.modules, "scipy.stats was imported with GX"
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
assert abs(kl.stats.entropy([0.5, 0.5], [0.5, 0.5])) < 1e-12      # the stand-in imports SciPy on first use
import scipy.stats
assert sys.modules["scipy.stats"] is scipy.stats and not isinstance(scipy.stats, gx_engine._DeferredModule)
assert scipy.stats.norm.cdf(0) == 0.5
from great_expectations.execution_engine import pandas_execution_engine
assert pandas_execution_engine.HASH_THRESHOLD == 0
print("ok")
"""


def test_gx_starts_without_scipy_stats_and_still_has_it_when_used():
    out = subprocess.run([sys.executable, "-c", STARTUP], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


def _plain_counts(con, plan, relation):
    """The counts as the plain translation computes them (one FILTER per predicate, the exact uniqueness query)."""
    counted, unexpected = con.execute(
        f"SELECT count(*) FILTER (WHERE {plan.domain}), count(*) FILTER (WHERE ({plan.domain}) AND ({plan.unexpected})) "
        f"FROM {relation} __r"
    ).fetchone()
    if plan.count_query:
        unexpected = con.execute(plan.count_query).fetchone()[0]
    return counted, unexpected


def test_cheaper_sql_forms_count_like_the_plain_translation():
    suite = load_suite("raw_classes")
    con = duckdb.connect()
    con.execute("""
        CREATE TABLE t AS SELECT * FROM (VALUES
            ('a', 'x', 1), ('a', 'x', 2), ('a', NULL, 3), (NULL, NULL, 4), (NULL, NULL, 5),
            ('b', 'y', 6), ('c', 'x', 7), (NULL, 'x', 8), (NULL, 'x', 9), ('d', NULL, 10)
        ) v(school_id, class_id, students)
    """)
    relation = "(SELECT * FROM t)"
    cases = [
        ("expect_column_values_to_not_be_null", {"column": "school_id"}),
        ("expect_column_values_to_be_in_set", {"column": "class_id", "value_set": ["x"]}),
        ("expect_column_values_to_be_unique", {"column": "school_id"}),
        ("expect_column_values_to_be_unique", {"column": "students"}),
        *[
            (
                "expect_compound_columns_to_be_unique",
                {"column_list": ["school_id", "class_id"], "ignore_row_if": ignore},
            )
            for ignore in ("all_values_are_missing", "any_value_is_missing", "never")
        ],
    ]
    for i, (kind, kwargs) in enumerate(cases):
        expectation = Expectation(type=kind, kwargs=kwargs, meta={"name": f"e{i}", "severity": "error"})
        plan = sql_engine.plan_column_expectation(expectation, kwargs, relation)
        counted, unexpected = con.execute(
            f"SELECT {plan.counted_sql()}, {plan.unexpected_sql()} FROM {relation} __r"
        ).fetchone()
        if plan.count_query:
            repeated = con.execute(plan.precheck_query).fetchone()[0]
            unexpected = 0 if repeated == 0 else con.execute(plan.count_query).fetchone()[0]
        assert (counted, unexpected) == _plain_counts(con, plan, relation), (kind, kwargs)
        outcome = sql_engine.evaluate_column_expectations(con, suite, [(expectation, kwargs)], relation, [], 10)[
            f"e{i}"
        ]
        assert outcome.result["unexpected_count"] == unexpected, (kind, kwargs)
