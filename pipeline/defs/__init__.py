"""Everything Dagster sees: assets, quality checks, resources, jobs, schedules, sensors, instance."""
