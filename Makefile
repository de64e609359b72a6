# Every target sets itself up: `make install` runs first when .venv is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install generate docs check test demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## generate: regenerate generated/models.py from schema/
generate: $(STAMP)
	$(PY) tools/generate_models.py

## docs: regenerate docs/reference/vN.md and docs/openrpc/vN.json from schema/
docs: $(STAMP)
	$(VENV)/bin/microtvm-project spec docs

## check: schema meta-validation first (one line per error), then examples, generated-code and docs drift
check: $(STAMP)
	$(PY) tools/check_schema.py
	$(PY) tools/generate_models.py --check
	$(VENV)/bin/microtvm-project spec docs --check
	$(PY) -m pytest -q tests/spec

## demo: the reference host platform end to end through the typed client, then the conformance kit against it
demo: $(STAMP)
	$(PY) tools/demo.py

## test: the whole test suite
test: $(STAMP)
	$(PY) -m pytest

## bench: every figure against its floors and the plain stdlib pair (table, bench/results.json, bench/throughput.png)
bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
