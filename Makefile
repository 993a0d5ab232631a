# MSP portal — developer entry points.
#
#   make run      install what is missing, build the front end, run web + worker + beat with
#                 demo data (embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set)
#   make test     the whole test suite (scripts/check.sh) against the same kind of services
#   make lint     ruff + mypy + front-end type check, no services needed
#   make schema   regenerate schema.graphql (and the front end's generated types)
#
# Installs are incremental: pip runs again only when a requirements file changes (stamp
# files in .venv/), npm ci only when frontend/package-lock.json changes, and the front end
# is rebuilt only when its sources change.
#
# Start-up from a fresh clone (docs/performance.md, "Start-up from a fresh clone"): pip and
# npm ci run in parallel; the front-end build (Vite only: type-checking is `make test`'s and
# `make lint`'s job) and collectstatic then run while the devstack starts PostgreSQL and
# bootstraps and seeds the database.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

# Tools in the virtualenv (ruff, mypy, gunicorn, celery...) come first on PATH.
export VIRTUAL_ENV := $(CURDIR)/$(VENV)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

RUNTIME_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
# npm writes this hidden lockfile on every install: newer than package-lock.json means the
# installed tree matches it.
NPM_STAMP := frontend/node_modules/.package-lock.json
FRONTEND_BUILD := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune \
	-o -type f -print 2>/dev/null)
HAS_NPM_SCRIPT = node -e 'process.exit((require("./frontend/package.json").scripts || {})[process.argv[1]] ? 0 : 1)'

.PHONY: help run test lint schema venv deps dev-deps frontend npm-deps

help:
	@echo "make run     - install, build and run the portal (web, worker, beat) with demo data"
	@echo "make test    - run the whole test suite (scripts/check.sh)"
	@echo "make lint    - ruff, mypy and the front end's type check"
	@echo "make schema  - regenerate schema.graphql and the front end's generated types"

# Both installs at once (their output interleaves), then the devstack, which builds the front
# end alongside the database's bootstrap and demo seed.
run:
	@$(MAKE) --no-print-directory -j2 deps npm-deps
	$(PY) scripts/devstack.py run --alongside "$(MAKE) --no-print-directory frontend"

test:
	@$(MAKE) --no-print-directory -j2 dev-deps frontend
	$(PY) scripts/devstack.py exec -- bash scripts/check.sh

# Settings refuse to load without SECRET_KEY when DEBUG is off; these targets only read them.
lint schema: export SECRET_KEY ?= tooling-only-insecure-key-never-used-for-serving

lint: dev-deps
	ruff check .
	ruff format --check .
	@# mypy: the files named in pyproject.toml's [tool.mypy], else the whole tree.
	if $(PY) -c 'import sys, tomllib; sys.exit(0 if tomllib.load(open("pyproject.toml", "rb"))["tool"]["mypy"].get("files") else 1)'; \
	then mypy; else mypy .; fi
	@if [ -d frontend/node_modules ] && $(HAS_NPM_SCRIPT) lint; then npm --prefix frontend run lint; fi

schema: deps
	$(PY) manage.py graphql_schema
	@if [ -d frontend/node_modules ] && $(HAS_NPM_SCRIPT) codegen; then npm --prefix frontend run codegen; fi

# ------------------------------------------------------------------- python
venv: $(PY)
deps: $(RUNTIME_STAMP)
dev-deps: $(DEV_STAMP)

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so it satisfies the runtime stamp too.
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

# ----------------------------------------------------------------- front end
frontend: $(FRONTEND_BUILD)
npm-deps: $(NPM_STAMP)

$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(FRONTEND_BUILD): $(NPM_STAMP) $(FRONTEND_SOURCES)
	@if $(HAS_NPM_SCRIPT) build; then \
		echo "cd frontend && npm run build"; \
		(cd frontend && npm run build) && touch $@; \
	else \
		echo "frontend/package.json has no build script yet: skipping the front-end build"; \
	fi
