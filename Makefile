# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: demo serve test test-browser test-spark lint bench clean

$(BIN)/lianzhang: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/lianzhang  ## install, build the demo database and serve it on 127.0.0.1:8000
	$(BIN)/lianzhang demo

serve: $(BIN)/lianzhang
	$(BIN)/lianzhang serve

test: $(BIN)/lianzhang  ## install and run the default test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-browser: $(BIN)/lianzhang  ## drive Debian Chromium through Playwright against a live server
	@status=0; $(BIN)/pytest -m browser -q -p no:xdist || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "test-browser: FAILED: pytest collected no browser tests (exit code 5); an empty browser suite is not a pass" >&2; \
	  exit 1; \
	fi; \
	exit $$status

test-spark: $(BIN)/lianzhang  ## run `lianzhang screen --engine spark` on real Spark in local mode (needs Java 17+)
	$(BIN)/pip install --quiet -e '.[spark]'
	@status=0; $(BIN)/pytest -m spark -q -p no:xdist tests/screening/test_spark.py || status=$$?; \
	if [ $$status -eq 5 ]; then \
	  echo "test-spark: FAILED: pytest collected no Spark tests (exit code 5)" >&2; \
	  exit 1; \
	fi; \
	exit $$status

bench: $(BIN)/lianzhang  ## speed and memory figures, each against a baseline measured in the same run
	$(BIN)/python benchmarks/registry_import.py
	$(BIN)/python benchmarks/classify_speed.py
	$(BIN)/python benchmarks/screen_speed.py
	$(BIN)/python benchmarks/evaluate_speed.py
	$(BIN)/python benchmarks/chain_gaps.py --reference-records 7500000 --local-records 50000
	$(BIN)/python benchmarks/chain_map.py --enterprises 50000
	$(BIN)/python benchmarks/match_speed.py
	$(BIN)/python benchmarks/match_quality.py
	$(BIN)/python benchmarks/review_assign.py
	$(BIN)/python benchmarks/review_platform.py
	$(BIN)/python benchmarks/deid_scan.py

clean:
	rm -rf $(VENV) var .pytest_cache
