# Every target sets itself up: `make install` runs first when .venv is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The git revision a spec change is reviewed against: origin/main when the clone has it, else main, else none.
BASE ?= $(shell for ref in origin/main main; do git rev-parse --verify --quiet "$$ref^{commit}" >/dev/null 2>&1 && echo "$$ref" && break; done)
# The commit where HEAD left BASE: what BASE changed since then is not this branch's change to review.
FORK_POINT = $(or $(shell git merge-base "$(BASE)" HEAD 2>/dev/null),$(BASE))

.PHONY: install generate docs check spec-changed spec-review test demo bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## generate: regenerate generated/models.py (models), generated/methods.py (method table), generated/validators.py
## (the models' rules compiled to plain Python), generated/handlers.py and generated/client_methods.py (handler base
## classes, client wrappers) and the reference docs from schema/; meta-validates schema/ first and writes nothing when
## any step fails, naming the file and the JSON pointer (tools/generate.py)
generate: $(STAMP)
	$(PY) tools/generate.py

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
	@$(MAKE) --no-print-directory spec-changed

## spec-changed: name `make spec-review` when a JSON file of schema/ (tracked or new) changed since HEAD left BASE; silent
## without a BASE
spec-changed:
	@if [ -n "$(FORK_POINT)" ] && ! { git diff --quiet "$(FORK_POINT)" -- 'schema/*.json' && \
		[ -z "$$(git ls-files --others --exclude-standard -- 'schema/*.json')" ]; }; then \
		echo "schema/ changed against $(BASE): review the spec change with \`make spec-review BASE=$(BASE)\`"; fi

## spec-review: every change of the working tree's schema/ against the git revision BASE (default origin/main, else main)
## where HEAD left it, classified as breaking clients, breaking servers or compatible, each break with why; exit 1 on an
## unaccepted break without a new revision number. ARGS go to `spec diff` (ARGS='--format markdown', ARGS='--ignore FILE')
spec-review: $(STAMP)
	@[ -n "$(BASE)" ] || { echo "spec-review: no origin/main or main in this clone; say which revision: make spec-review BASE=REV" >&2; exit 2; }
	@echo "schema/ against $(BASE) where this branch left it ($(FORK_POINT))" >&2
	@$(VENV)/bin/microtvm-project spec diff "$(FORK_POINT)" $(ARGS)

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
