# Spoter: `make run` serves the product on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v python3.11 2>/dev/null || command -v $(PYTHON))

# Tests run on real services; override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/spoter
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint format install install-dev messages train-empaty
.DEFAULT_GOAL := run

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Runtime packages only; --inexact keeps dev tools a previous `make test` installed.
.venv/.installed-run: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --no-dev --inexact
	touch $@

.venv/.installed-dev: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@ .venv/.installed-run

install: .venv/.installed-run
install-dev: .venv/.installed-dev

messages: install
	$(PY) manage.py compiletranslations

run: install messages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo
	$(PY) manage.py serve

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	else echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi

test: install-dev messages $(CHROMIUM)
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	SECRET_KEY=$${SECRET_KEY:-tests-only-secret-key-not-for-production-use} \
	FIELD_ENCRYPTION_KEY=$${FIELD_ENCRYPTION_KEY:-dGVzdHMtb25seS1maWVsZC1rZXktMzItYnl0ZXMhISE=} \
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy .

format: install-dev
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# EMPATY's model from empaty/data (deterministic); commit empaty/weights and empaty/data/heldout.
train-empaty: install-dev
	$(PY) manage.py empaty_train
