# Two commands do all the set-up on a fresh machine:
#   make dev    run the dispatcher locally, with the example tenants uploaded
#   make test   lint, type-check and run every test tier
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-16)

.PHONY: dev test setup check

dev: setup
	$(PY) tools/dev.py

test: setup check
	$(PY) -m pytest

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

setup: $(STAMP)
	$(PY) tools/offline_runtime/setup.py

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@
