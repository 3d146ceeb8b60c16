# The two commands of the README: `make demo` and `make test`. Everything else is set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.9.5
CUSTOMERS ?= 20000
MONTHS ?= 13
PORT ?= 8000
TENURE_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TENURE_TEST_DATABASE_URL

# Test order: fixed by default; `make test-random` shuffles (pytest-randomly) and prints the seed,
# `make test-random SEED=N` replays one.
ORDER ?= -p no:randomly

.PHONY: demo test setup setup-test test-sqlite test-postgres test-random lint clean

demo: setup
	$(BIN)/tenure demo --customers $(CUSTOMERS) --months $(MONTHS) --port $(PORT)

test: setup-test
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test
	@bash scripts/ensure-system-packages

# uv installs the pinned set ~10x faster than pip; pip is the fallback. --compile-bytecode: uv
# writes no .pyc by default and where PYTHONDONTWRITEBYTECODE is set (these machines) every
# process would compile the libraries' sources again (3.6 s of each `tenure` command's start).
$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION) || true
	if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements.txt; \
	else \
	  $(BIN)/python -m pip install -q -r requirements.txt; \
	fi
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . 2>/dev/null || \
	  $(BIN)/python -m pip install -q --no-deps -e .
	touch $@

# PySpark (for the DuckDB-vs-Spark parity test) only where Java can run it.
$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt requirements-spark.txt
	extra=""; if java -version >/dev/null 2>&1; then extra="-r requirements-spark.txt"; \
	  else echo "== Java not found: PySpark not installed, the Spark parity test will be skipped"; fi; \
	if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python -r requirements-test.txt $$extra; \
	else \
	  $(BIN)/python -m pip install -q -r requirements-test.txt $$extra; \
	fi
	touch $@

# mypy (django-stubs) loads Django's settings: a throw-away home and SQLite, as on a fresh clone.
lint:
	$(BIN)/ruff check tenure tests bench
	$(BIN)/ruff format --check tenure tests bench
	env -u DATABASE_URL TENURE_HOME=$$(mktemp -d) $(BIN)/mypy

# Tests marked `serial` commit for real (transaction=True) and empty every table when they end,
# the migrations' rows too (complaint root causes): they run after the rest, in their own pass.
test-sqlite:
	@echo "== test suite on SQLite"
	env -u DATABASE_URL TENURE_HOME=$$(mktemp -d) $(BIN)/python -m pytest $(ORDER) -n 2 --dist loadfile --timeout 900 --durations=25 -m "not serial"
	env -u DATABASE_URL TENURE_HOME=$$(mktemp -d) $(BIN)/python -m pytest $(ORDER) --timeout 900 -m serial

test-postgres:
	@if $(BIN)/python scripts/pg_reachable.py "$$TENURE_TEST_DATABASE_URL"; then \
	  echo "== test suite on PostgreSQL ($$TENURE_TEST_DATABASE_URL); browser, Spark parity and own-home CLI tests ran in the SQLite pass"; \
	  DATABASE_URL="$$TENURE_TEST_DATABASE_URL" TENURE_HOME=$$(mktemp -d) $(BIN)/python -m pytest $(ORDER) -n 2 --dist loadfile --timeout 900 --durations=25 -m "not browser and not spark and not serial and not own_home" && \
	  DATABASE_URL="$$TENURE_TEST_DATABASE_URL" TENURE_HOME=$$(mktemp -d) $(BIN)/python -m pytest $(ORDER) --timeout 900 -m "serial and not browser and not spark and not own_home"; \
	fi

test-random: setup-test
	@seed=$${SEED:-$$RANDOM$$RANDOM}; echo "== random test order, seed $$seed (replay: make test-random SEED=$$seed)"; \
	  $(MAKE) test-sqlite test-postgres ORDER="--randomly-seed=$$seed"

clean:
	rm -rf $(VENV) var
