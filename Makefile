# Everything a new machine needs, from Python 3.11 and PyPI alone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9

export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export EQUITY_WAREHOUSE ?= $(CURDIR)/warehouse/equity.duckdb
# dbt's profile reads the build database; `equity run` sets it from --warehouse, make from the line above.
export EQUITY_BUILD_DATABASE ?= $(basename $(EQUITY_WAREHOUSE)).build.duckdb
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

.PHONY: run test test-fast lint setup lock demo-data ui clean

DBT := $(BIN)/dbt --quiet
DBT_DIRS := --project-dir dbt_project --profiles-dir dbt_project
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print)

## make run: set up, build the warehouse from data/raw, print where it is
run: setup
	$(BIN)/equity run --raw data/raw --warehouse $(EQUITY_WAREHOUSE)
	$(DBT) docs generate --static $(DBT_DIRS) --target-path $(dir $(EQUITY_WAREHOUSE))dbt_docs
	@echo "Data dictionary (dbt docs): $(dir $(EQUITY_WAREHOUSE))dbt_docs/static_index.html"

## make test: set up, lint, then the whole test suite (real DuckDB, dbt, Dagster, Chromium)
test: setup lint
	$(BIN)/python -m pytest

## make test-fast: the quick loop, without the tests that build warehouses or drive a browser
test-fast: setup
	$(BIN)/python -m pytest -m "not slow and not browser"

## make lint: ruff's checks and its formatting, as pyproject.toml configures them
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

setup: $(VENV)/.installed $(MANIFEST)

# Dagster loads the dbt models from the manifest: parse whenever a model, seed or YAML file changes.
$(MANIFEST): $(VENV)/.installed $(DBT_SOURCES)
	$(DBT) parse $(DBT_DIRS)

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set, every process (each run, each dbt
# call, each test's subprocess) would otherwise compile Dagster, dbt, GX and our own modules from source.
$(VENV)/.installed: requirements.lock.txt pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --compile-bytecode -p $(BIN)/python requirements.lock.txt
	$(BIN)/uv pip install --quiet -p $(BIN)/python --no-deps -e .
	$(BIN)/python -m compileall -q pipeline synthetic
	touch $@

## make ui: Dagster's UI on http://127.0.0.1:3000, with the nightly and annual schedules and the file sensor on
ui: setup
	$(BIN)/python -c "from pipeline.defs.instance import dagster_home; dagster_home()"
	$(BIN)/dagster dev -m pipeline.definitions -h 127.0.0.1 -p 3000

## make lock: re-resolve requirements.lock.txt from the pins in pyproject.toml
lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock.txt -p $(BIN)/python

## make demo-data: rewrite the demo census files in data/raw from their fixed seeds
demo-data: setup
	$(BIN)/python -m synthetic.demo --out data/raw

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs
