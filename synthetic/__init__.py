"""Fictional, contract-conforming school census data.

- ``synthetic.generator``: a vectorised generator of one census year at county,
  province or nation size (``python -m synthetic.generator --help``).
- ``synthetic.demo``: writes the committed demo data set under ``data/raw/``
  (``python -m synthetic.demo``).

Everything produced here is invented: codes, names and numbers describe no real
school, county or person.

The package imports nothing eagerly (so that ``python -m synthetic.generator``
does not import its own module twice); ``from synthetic import generate_year``
still works through ``__getattr__``.
"""

from __future__ import annotations

__all__ = ["SIZES", "TABLES", "generate_year", "iter_year", "write_year"]


def __getattr__(name: str):
    if name in __all__:
        from synthetic import generator

        return getattr(generator, name)
    raise AttributeError(f"module 'synthetic' has no attribute {name!r}")
