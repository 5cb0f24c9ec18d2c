"""Personal data never reaches the warehouse as given, whatever its header says.

A column is personal by the contract (`name` is dropped, `id_card_number`
hashed), by what its header means (`personal_headers.csv`: 教职工姓名,
联系电话, ID Card No., ...) or by its values: an ID-card number (18
characters with a birth date and a valid ISO 7064 MOD 11-2 check digit, or
the old 15-digit form) or a mainland mobile number (1[3-9] and 9 digits) in
any column. Names, phone numbers and other contact details are dropped; ID
numbers are replaced by a salted SHA-256 (computed by DuckDB over the whole
column), and so is any contract column that holds ID or mobile numbers (a
`teacher_id` that is an ID number stays a key: the same number gives the
same hash in every file and every year).

It happens right after the header is matched, before any other step sees
the values, so neither the raw tables, the extras, the rejected rows nor the
log can carry them; every column so treated gets a note on its file.

The values are looked at set-based: only cells of the length an ID or a
phone number can have are candidates, and each distinct candidate is tested
once. In a read of many files together the decision is made file by file, so
that a file's rows come out as they would when read on its own.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

import duckdb
import polars as pl

from pipeline.ingest.contract import PACKAGE_DIR, Contract, Table, fold
from pipeline.ingest.errors import FileRefused, ReadAlone
from pipeline.ingest.normalise import NUMERIC

SALT_VARIABLE = "EQUITY_PII_SALT"
PERSONAL_TYPES = ("pii_drop", "pii_hash")
HASH, DROP = "hash", "drop"
# What a header can mean, in both languages, and what is done to its column.
KINDS = {
    "name": ("姓名", "a name", DROP),
    "id": ("身份证号", "an ID-card number", HASH),
    "phone": ("电话号码", "a phone number", DROP),
    "contact": ("联系方式", "contact details", DROP),
}
# What values can be, in both languages.
VALUE_KINDS = {"id": ("身份证号", "ID-card numbers"), "mobile": ("手机号码", "mobile numbers")}
ACTIONS = {HASH: ("已加盐哈希", "stored as salted hashes"), DROP: ("已删除", "dropped")}

_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
ID_18 = rf"^[1-9]\d{{5}}(?:18|19|20)\d{{2}}{_DATE}\d{{3}}[\dX]$"
ID_15 = rf"^[1-9]\d{{7}}{_DATE}\d{{3}}$"
MOBILE = r"^(?:86)?1[3-9]\d{9}$"
# Spaces, hyphens and a leading + are left out before matching ('+86 139-1234-5678'), and the '.0' of a number
# that was a float (a Parquet column of phone numbers as doubles).
SEPARATORS = r"[\s\-+]|\.0$"
# The shortest and longest cell that can hold one, separators included, and the shape of one.
CANDIDATE_BYTES = (11, 24)
SHAPE = r"^\s*(?:(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}|[1-9]\d{14}(?:\d{2}[\dXx])?)(?:\.0)?\s*$"
CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# Anywhere in a line of text (a malformed line): a run of digits as long as a mobile or an ID number.
IN_TEXT = r"(?:^|[^\dXx])(?:1[3-9]\d{9}|\d{15}|\d{17}[\dXx])(?:[^\dXx]|$)"


@dataclass(frozen=True)
class Finding:
    """A personal column: what it is, what is done to it, and in which files of a read-together frame."""

    column: str
    header: str
    canonical: str | None
    action: str
    # a key of KINDS (by header) or of VALUE_KINDS (by value)
    kind: str
    by_value: bool
    files: frozenset[int] | None = None

    def note(self) -> str:
        done_zh, done_en = ACTIONS[self.action]
        renamed = self.canonical and self.canonical != self.header
        named_zh, named_en = (f"（{self.canonical}）", f" ({self.canonical})") if renamed else ("", "")
        if self.by_value:
            what_zh, what_en = VALUE_KINDS[self.kind]
            return (
                f"个人信息：列「{self.header}」{named_zh}的值是{what_zh}，{done_zh} / "
                f"personal data: column '{self.header}'{named_en} holds {what_en}: {done_en}"
            )
        what_zh, what_en, _ = KINDS[self.kind]
        return (
            f"个人信息：列「{self.header}」{named_zh}是{what_zh}，{done_zh} / "
            f"personal data: column '{self.header}'{named_en} is {what_en}: {done_en}"
        )


@cache
def header_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The header patterns of `personal_headers.csv`, matched against a folded header."""
    with open(PACKAGE_DIR / "personal_headers.csv", encoding="utf-8", newline="") as handle:
        return tuple((re.compile(row["pattern"]), row["kind"]) for row in csv.DictReader(handle))


def header_kind(contract: Contract, table: Table, header: str) -> str | None:
    """What an extra column's header means: a contract personal column's alias (left over from a clash), or a pattern."""
    target = contract.headers[table.name].get(fold(header))
    if target is not None:
        column_type = table.column(target.column).type
        if column_type in PERSONAL_TYPES:
            return "name" if column_type == "pii_drop" else "id"
    folded = fold(header)
    return next((kind for pattern, kind in header_patterns() if pattern.search(folded)), None)


def looks_personal(text: pl.Expr) -> pl.Expr:
    """Whether a text (a line that could not be split) holds a run of digits as long as a mobile or ID number."""
    return text.str.contains(IN_TEXT)


def _check_digit_ok(value: pl.Expr) -> pl.Expr:
    digits = (value.str.slice(i, 1).cast(pl.Int32, strict=False) * weight for i, weight in enumerate(CHECK_WEIGHTS))
    total = pl.sum_horizontal(digits)
    expected = (total % 11).replace_strict(list(range(11)), list(CHECK_CHARACTERS), return_dtype=pl.String)
    return expected == value.str.slice(17, 1)


def _value_kinds(frame: pl.DataFrame, column: str, by: list[str], mobiles: bool) -> pl.DataFrame:
    """The kinds of personal number (`id`, `mobile`) in a column, per file of `by`.

    Cheap tests narrow the cells first (length, no leading 0, the shape of the digits), each on what the last left;
    the check digit is computed on the few that are left.
    """
    low, high = CANDIDATE_BYTES
    value = pl.col("v")
    candidates = (
        frame.select(*by, pl.col(column).alias("v"))
        .filter(value.str.len_bytes().is_between(low, high))
        .filter(~value.str.starts_with("0"))
        .filter(value.str.contains(SHAPE))
    )
    compact = value.str.replace_all(SEPARATORS, "").str.to_uppercase()
    is_id = (compact.str.contains(ID_18) & _check_digit_ok(compact)) | compact.str.contains(ID_15)
    kind = pl.when(is_id).then(pl.lit("id"))
    if mobiles:
        kind = kind.when(compact.str.contains(MOBILE)).then(pl.lit("mobile"))
    return candidates.select(*by, kind.otherwise(None).alias("kind")).drop_nulls("kind").unique()


def _has_values(frame: pl.DataFrame, column: str) -> bool:
    return frame.get_column(column).str.strip_chars().replace("", None).null_count() < frame.height


def _by_header(
    frame: pl.DataFrame, contract: Contract, table: Table, headers: dict[str, str], extras: list[str]
) -> list[Finding]:
    """The contract's personal columns, and the extras whose header means a name, an ID or a phone number.

    A column to hash that holds nothing needs no salt and is left as it is (all empty).
    """
    findings = []
    for column in (c for c in table.columns if c.type in PERSONAL_TYPES and c.name in frame.columns):
        kind, action = ("name", DROP) if column.type == "pii_drop" else ("id", HASH)
        findings.append(Finding(column.name, headers.get(column.name, column.name), column.name, action, kind, False))
    for header in extras:
        if (kind := header_kind(contract, table, header)) is not None:
            findings.append(Finding(header, header, None, KINDS[kind][2], kind, False))
    return [f for f in findings if f.action == DROP or _has_values(frame, f.column)]


def _by_value(
    frame: pl.DataFrame, table: Table, headers: dict[str, str], columns: list[str], file_column: str | None
) -> list[Finding]:
    """The columns holding ID or mobile numbers, and in which files of a read-together frame.

    An ID number anywhere makes a column one of ID numbers. A contract column is hashed, never dropped (a key stays
    a key); an extra of mobile numbers is dropped. Mobile numbers are not looked for in a numeric column (an amount
    of 13.9 billion yuan has 11 digits); ID numbers are (no amount has 18 digits and a birth date).
    """
    by = [file_column] if file_column else []
    all_files = frozenset(frame.get_column(file_column).unique().to_list()) if file_column else None
    findings = []
    for name in columns:
        canonical = name if name in headers else None
        numeric = canonical is not None and table.column(canonical).type in NUMERIC
        kinds = _value_kinds(frame, name, by, mobiles=not numeric)
        if kinds.height == 0:
            continue
        kind = "id" if (kinds.get_column("kind") == "id").any() else "mobile"
        action = HASH if canonical is not None or kind == "id" else DROP
        files = frozenset(kinds.get_column(file_column).unique().to_list()) if file_column else None
        partial = None if files == all_files else files
        findings.append(Finding(name, headers.get(name, name), canonical, action, kind, True, partial))
    return findings


def find_personal(
    frame: pl.DataFrame,
    contract: Contract,
    table: Table,
    headers: dict[str, str],
    extras: list[str],
    file_column: str | None,
    candidates: set[str],
) -> list[Finding]:
    """The personal columns of a frame with canonical names, by the contract, by header and by value.

    `headers` gives each canonical column's header in the file; `candidates` are the columns with a cell of
    CANDIDATE_BYTES, the only ones whose values can hold an ID or phone number.
    """
    findings = _by_header(frame, contract, table, headers, extras)
    done = {f.column for f in findings} | {c.name for c in table.columns if c.type in PERSONAL_TYPES}
    scanned = [c for c in frame.columns if c in candidates and c not in done and (c in extras or c in headers)]
    return findings + _by_value(frame, table, headers, scanned, file_column)


def protect(frame: pl.DataFrame, findings: list[Finding], salt: str | None, file_column: str | None) -> pl.DataFrame:
    """Drop and hash the personal columns found; no salt and something to hash refuses the file."""
    hashed = [f for f in findings if f.action == HASH]
    if hashed and not salt:
        named = [f.canonical or f.header for f in hashed]
        raise FileRefused(
            f"文件含有身份证号或手机号码（列 {'、'.join(named)}），但未设置盐：请把环境变量 {SALT_VARIABLE} 设为一个"
            f"保密的字符串（每年相同，哈希后的号码才能逐年比较），然后重新运行 / the file carries personal ID numbers "
            f"({', '.join(named)}) and no salt is set: set the environment variable {SALT_VARIABLE} to a secret string "
            f"(the same every year, so hashed IDs stay comparable) and run again"
        )
    if any(f.action == DROP and f.files is not None for f in findings):
        raise ReadAlone("a column to drop in some of the files read together")
    frame = frame.drop([f.column for f in findings if f.action == DROP])
    for finding in hashed:
        digest = salted_hash(frame.get_column(finding.column), salt)
        if finding.files is not None:
            digest = frame.select(
                pl.when(pl.col(file_column).is_in(list(finding.files))).then(digest).otherwise(pl.col(finding.column))
            ).to_series()
        frame = frame.with_columns(digest.alias(finding.column))
    return frame


def salted_hash(values: pl.Series, salt: str) -> pl.Series:
    with duckdb.connect() as con:
        con.register("ids", pl.DataFrame({"v": values}))
        hashed = con.sql(
            "SELECT CASE WHEN nullif(trim(v), '') IS NULL THEN NULL "
            "ELSE sha256($salt || upper(replace(trim(v), ' ', ''))) END AS h FROM ids",
            params={"salt": salt},
        ).pl()
    return hashed.get_column("h").alias(values.name)
