# Gradient Sentinel: the two commands a fresh machine needs.
#   make demo   create .venv, install, write the golden-incident demo and run the gate on it
#   make test   create .venv, install, run the library's tests (all of them: what CI runs)
#   make test-fast  the in-process lane a developer runs after every change (no slow tests)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint bench clean-demo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,mlflow]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sentinel demo --out sentinel-demo
	@echo
	@echo "== 1/2 the incident: the retrain a month ago (expected: the gate FAILS)"
	@echo "   (each failure in full: reports/incident/gate.md; pytest's own tracebacks: drop --tb=no -rN)"
	@$(BIN)/pytest suites/ --sentinel-config sentinel-demo/incident.toml \
		--sentinel-reports reports/incident -q --no-header -p no:cacheprovider --tb=no -rN; \
		code=$$?; if [ $$code -ne 1 ]; then echo "expected the incident to fail the gate (exit 1), got exit $$code"; exit 1; fi
	@echo
	@echo "== 2/2 the fixed pipeline (expected: the gate PASSES)"
	$(BIN)/pytest suites/ --sentinel-config sentinel-demo/fixed.toml \
		--sentinel-reports reports/fixed -q --no-header -p no:cacheprovider
	@echo
	@echo "Demo done: the incident was blocked (reports/incident/gate.md), the fix passed (reports/fixed/gate.md)."

# --durations: the slowest tests are listed after each run, to keep the lanes fast
TEST_ARGS := tests/ sentinel_checks/ --doctest-modules --ignore=sentinel_checks/suites -p no:cacheprovider --durations=30

test: $(STAMP)
	$(BIN)/pytest $(TEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest $(TEST_ARGS) -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check sentinel_checks suites tests benchmarks examples
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_splits.py --rows 1000000 5000000

clean-demo:
	rm -rf sentinel-demo reports/incident reports/fixed
