"""Turning the census files of one year into the `raw` tables, accounting for every row."""
