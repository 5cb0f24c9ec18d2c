"""Education resource equity warehouse: census ingestion, indicators and gates, orchestrated by Dagster."""
