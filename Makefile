# Two commands: `make run` and `make test`. Both create .venv on their own (`make lint` too).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-postgres demo bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/custreg serve

demo: $(VENV)/.installed
	$(BIN)/custreg demo

test: $(VENV)/.installed-test
	$(BIN)/pytest

test-postgres: $(VENV)/.installed-test
	CUSTREG_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest

# The lint gate (.ci/run runs it before the tests): ruff, formatting, mypy (config in
# pyproject.toml), import direction (import-linter contracts in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Benchmarks (bench/run.py): `make bench ARGS="--postgres --customers 1000000 --duration 20"`.
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(ARGS)

# The register is in the data directory (docs/operations.md), which clean never touches.
clean:
	rm -rf $(VENV)
