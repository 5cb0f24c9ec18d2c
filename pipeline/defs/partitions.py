"""Census years: one partition per `data/raw/<year>/` folder, registered when the folder is found."""

import dagster as dg

census_years = dg.DynamicPartitionsDefinition(name="census_year")
