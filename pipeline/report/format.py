"""Numbers as the national forms print them, and the matching Excel number formats.

The warehouse keeps full precision and decides statuses on it; the report only rounds for
display. Rounding is half-up on the decimal representation (what a statistician and Excel
do: 2.675 → 2.68), never Python's binary half-even.

Formats (`Fmt`):
  text     as given                         int     whole number (students, classes)
  mean2    county mean, 2 decimals          value2  school value, 2 decimals
  cv3      coefficient of variation, 3      signed3 change of a CV, 3 decimals with sign
  limit2   a CV limit, 2 decimals (0.50)    pct1    share as a percentage, 1 decimal
  std      a standard as written in the rules (4.2, 2000, 0.9)
  dec3     3 decimals (composites)          dec5    5 decimals (Theil components)
  ratio2   2 decimals (salary ratio)
  amount0  whole amount with thousands separators (yuan: 1,180,800)
  amount2  amount with 2 decimals and thousands separators (m²: 8,272.20)

Text from the data (county and school names) may hold control characters that a workbook cannot
store and a page does not show: `visible_controls` prints each as its Unicode control picture.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Fmt = Literal[
    "text",
    "int",
    "mean2",
    "value2",
    "cv3",
    "signed3",
    "limit2",
    "pct1",
    "std",
    "dec3",
    "dec5",
    "ratio2",
    "amount0",
    "amount2",
]

MISSING = "—"

_PLACES: dict[str, int] = {
    "mean2": 2,
    "value2": 2,
    "cv3": 3,
    "signed3": 3,
    "limit2": 2,
    "dec3": 3,
    "dec5": 5,
    "ratio2": 2,
}
# Amounts of several millions (yuan, m²) are read at a glance only with their thousands grouped.
_GROUPED_PLACES: dict[str, int] = {"amount0": 0, "amount2": 2}

# Excel number formats: the workbook holds the warehouse's exact value, displayed as printed.
XLSX_FORMATS: dict[str, str] = {
    "text": "@",
    "int": "0",
    "mean2": "0.00",
    "value2": "0.00",
    "cv3": "0.000",
    "signed3": "+0.000;-0.000;0.000",
    "limit2": "0.00",
    "pct1": "0.0%",
    "std": "General",
    "dec3": "0.000",
    "dec5": "0.00000",
    "ratio2": "0.00",
    "amount0": "#,##0",
    "amount2": "#,##0.00",
}

NUMERIC_FORMATS = frozenset(XLSX_FORMATS) - {"text"}

# C0 controls but tab and line feed (text in a cell or a page) as their control pictures (␀ ␇ ␛ ␍: a carriage
# return is no line break in a workbook or a page), DEL as ␡, C1 controls, which have no picture, by their code (\x9b)
_CONTROL_PICTURES = {
    **{code: 0x2400 + code for code in range(0x20) if chr(code) not in "\t\n"},
    0x7F: 0x2421,
    **{code: f"\\x{code:02x}" for code in range(0x80, 0xA0)},
}


def _decimal(value: float | int | Decimal) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))  # the shortest decimal that round-trips, as Excel shows it


def fixed(value: float | int | Decimal, places: int, grouped: bool = False) -> str:
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.000"
    return f"{rounded:{',' if grouped else ''}.{places}f}"


def visible_controls(text: str) -> str:
    """`text` with every control character a reader could not see (or a workbook could not hold) made visible."""
    return text.translate(_CONTROL_PICTURES)


def format_value(value: object, fmt: str) -> str:
    """The printed form of `value`; '—' for a missing number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if fmt == "text":
        return str(value)
    if isinstance(value, bool):
        raise TypeError(f"a boolean is not a number: format it as text ({value!r}, {fmt})")
    if fmt == "int":
        return fixed(value, 0)
    if fmt == "pct1":
        return fixed(_decimal(value) * 100, 1) + "%"
    if fmt == "std":
        d = _decimal(value).normalize()
        return f"{d:f}"
    if fmt == "signed3":
        text = fixed(value, 3)
        return text if text.startswith("-") or Decimal(text) == 0 else "+" + text
    if fmt in _PLACES:
        return fixed(value, _PLACES[fmt])
    if fmt in _GROUPED_PLACES:
        return fixed(value, _GROUPED_PLACES[fmt], grouped=True)
    raise ValueError(f"unknown format {fmt!r}")
