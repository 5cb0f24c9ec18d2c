"""What every report section reads: the county, year and language, the marts, labels and reference names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import duckdb

from pipeline.report.labels import LANGS, label, paren, status_word

if TYPE_CHECKING:
    from pipeline.report.model import Section

STAGES = ("primary", "junior")


@dataclass
class ReportContext:
    con: duckdb.DuckDBPyConnection
    county_code: str
    year: int
    lang: str = "zh"
    extras: dict[str, Any] = field(default_factory=dict)  # for later sections

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"unknown language {self.lang!r}: expected one of {LANGS}")

    # --- reading ---------------------------------------------------------------------------
    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def county_rows(self, sql: str) -> list[dict[str, Any]]:
        """`sql` with parameters county_code then year (`?, ?` in that order, or `$1` / `$2`)."""
        return self.rows(sql, [self.county_code, self.year])

    def columns_of(self, schema: str, table: str) -> set[str]:
        return {
            r["column_name"]
            for r in self.rows(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            )
        }

    # --- words --------------------------------------------------------------------------------
    def L(self, key: str, **fields: object) -> str:
        return label(key, self.lang, **fields)

    def status(self, status: str | None) -> str:
        return status_word(status, self.lang)

    def paren(self, text: object) -> str:
        return paren(text, self.lang)

    @property
    def colon(self) -> str:
        return label("punct.colon", self.lang)

    @cached_property
    def reference(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Reference seeds by key: indicators, stages, excluded_reasons, class_size_categories, area_classes, school_types."""
        keys = {
            "indicators": "indicator",
            "stages": "stage",
            "excluded_reasons": "excluded_reason",
            "class_size_categories": "category",
            "area_classes": "area_class",
            "school_types": "school_type",
        }
        return {
            table: {r[key]: r for r in self.rows(f"SELECT * FROM reference.{table}")} for table, key in keys.items()
        }

    def name(self, table: str, key: str | None) -> str:
        if key is None:
            return label("doc.missing", self.lang)
        row = self.reference[table].get(key)
        return row[f"name_{self.lang}"] if row else str(key)

    def stage_name(self, stage: str | None) -> str:
        return self.name("stages", stage)

    def indicator_name(self, code: str) -> str:
        return self.name("indicators", code)

    # --- the county -----------------------------------------------------------------------------
    @cached_property
    def summary(self) -> dict[str, Any]:
        found = self.county_rows("SELECT * FROM marts.county_summary WHERE county_code = ? AND year = ?")
        if not found:
            raise LookupError(f"county {self.county_code} has no row in marts.county_summary for {self.year}")
        return found[0]

    @cached_property
    def assessment(self) -> list[dict[str, Any]]:
        return self.county_rows(
            "SELECT * FROM marts.county_assessment WHERE county_code = ? AND year = ? "
            "ORDER BY sort_order, CASE stage WHEN 'primary' THEN 0 WHEN 'junior' THEN 1 ELSE 2 END"
        )

    @cached_property
    def stages(self) -> list[tuple[str, str]]:
        """The county's stages (those with CV rows, i.e. with at least one unit), in order."""
        present = {
            r["stage"]
            for r in self.county_rows("SELECT DISTINCT stage FROM marts.county_cv WHERE county_code = ? AND year = ?")
        }
        return [(s, self.stage_name(s)) for s in STAGES if s in present]

    def assessment_row(self, indicator: str, stage: str | None = None) -> dict[str, Any] | None:
        return next((r for r in self.assessment if r["indicator"] == indicator and r["stage"] == stage), None)


SectionBuilder = Callable[[ReportContext], "Section | None"]
