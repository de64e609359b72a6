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

## generate: regenerate generated/models.py (models), generated/methods.py (method table) and generated/validators.py
## (the models' rules compiled to plain Python) from schema/
generate: $(STAMP)
	$(PY) tools/generate_models.py
	$(PY) tools/generate_validators.py
	$(PY) tools/generate_stubs.py

## docs: regenerate docs/reference/vN.md and docs/openrpc/vN.json from schema/
docs: $(STAMP)
	$(VENV)/bin/microtvm-project spec docs

## check: schema meta-validation first (one line per error), then examples, generated-code and docs drift, lint
## (ruff), types (mypy --strict on protocol/, server_sdk/, client/, by their installed names: a link in .venv maps the
## package to this folder), layering
check: $(STAMP)
	$(PY) tools/check_schema.py
	$(PY) tools/generate_models.py --check
	$(PY) tools/generate_validators.py --check
	$(PY) tools/generate_stubs.py --check
	$(VENV)/bin/microtvm-project spec docs --check
	$(VENV)/bin/ruff check .
	mkdir -p $(VENV)/mypy-path && ln -sfn $(CURDIR) $(VENV)/mypy-path/microtvm_project_api
	MYPYPATH=$(VENV)/mypy-path $(PY) -m mypy -p microtvm_project_api.protocol -p microtvm_project_api.server_sdk -p microtvm_project_api.client
	$(PY) -m pytest -q tests/spec tests/architecture

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
