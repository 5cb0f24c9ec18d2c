"""Every dbt concern: the project's manifest, the dbt resource, the per-run target folders."""
