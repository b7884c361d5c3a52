# opendata: two entry points that work on a fresh machine.
#   make demo   set up .venv, build datapackage/ from sources/, run a sample cross-report query
#   make test   set up .venv with test extras, run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast setup build validate accuracy bench docs release clean

$(STAMP): pyproject.toml schemas/package.yaml  # the version lives in package.yaml: reinstall when it changes
	@echo "==> creating the virtual environment $(VENV)/ with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip"
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "==> installing opendata and its dependencies from PyPI (duckdb, pyarrow, frictionless, ...: a minute or two the first time)"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@echo "==> installed: $$($(BIN)/opendata --version)"
	touch $(STAMP)

setup: $(STAMP)

build: $(STAMP)
	@echo "==> building datapackage/ from the reports in sources/"
	$(BIN)/opendata build

demo: build
	@echo "==> validating the package (Table Schemas, identities)"
	$(BIN)/opendata validate
	@echo "==> new requests per report, across the package"
	$(BIN)/opendata query "select r.year, r.region_name, r.agency, r.scope, a.value as new_requests \
	  from applications a join reports r using (report_id) \
	  where a.row = 'new_requests' and a.applicant = 'total' and r.duplicate_of is null \
	  order by r.year, r.region_name, r.agency"
	@echo "==> ranking the 2024 reports on the substantive disclosure rate"
	$(BIN)/opendata compare substantive_disclosure_rate --year 2024

test: $(STAMP)
	$(BIN)/python -m pytest

# Without the slow cases (hypothesis round trips, large inputs); CI runs everything (`make test`).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

validate: $(STAMP)
	$(BIN)/opendata validate

accuracy: $(STAMP)
	$(BIN)/python scripts/accuracy.py

bench: $(STAMP)
	$(BIN)/python scripts/benchmark.py

docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

release: $(STAMP)
	$(BIN)/opendata release

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
