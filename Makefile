# Two commands: `make run` serves the site, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
# Local runs keep a generated SECRET_KEY in var/secret_key (mode 0600).
export GOLAB_GENERATE_SECRET_KEY ?= 1
export DJANGO_SETTINGS_MODULE := golab.settings

# Django 6 needs Python 3.12+: take the first interpreter that runs and is new enough.
PYTHON_CANDIDATES := python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)
define find_python
for p in $(PYTHON_CANDIDATES); do \
  if command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    echo "$$p"; exit 0; fi; \
done; exit 1
endef

.PHONY: help run install install-test migrate load-data test test-fast lint format chromium bench bench-scale bench-load bench-before-after clean

help:
	@echo "make run    install into .venv, migrate, load the bundled INDIGO snapshot, serve http://$(HOST):$(PORT) with the import worker"
	@echo "make test   install the test tools into .venv and run the whole suite"
	@echo "make test-fast  the suite without the browser and slow tests, for quick loops"
	@echo "make lint   ruff check and format check, bandit, mypy"
	@echo "make bench  print the import benchmark figures"
	@echo "make bench-scale  the app under gunicorn beside Datasette at 100,000 projects (long)"
	@echo "make bench-load  the bundled snapshot under gunicorn at 32 connections for 30 s: p50, p99, errors"
	@echo "make bench-before-after  /cases/ and a case page before (bb0d6bb) and now, same sitting"

$(PY):
	@py=$$($(find_python)) || { \
	  echo "error: Python 3.12 or newer is required (Django 6) but none was found: tried python3.13, python3.12, python3." >&2; \
	  echo "       Install one (Debian: apt-get install python3.12 python3.12-venv; or pyenv install 3.12) and run make again." >&2; \
	  exit 1; }; \
	echo "Creating $(VENV) with $$py ($$("$$py" --version))"; \
	"$$py" -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

load-data: migrate
	$(PY) manage.py load_demo_data

run: load-data
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving http://$(HOST):$(PORT)/ and running the background worker (Ctrl-C stops both)"
	@# The worker (manage.py db_worker) runs admin imports; it stops when the server does.
	$(PY) manage.py db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/gunicorn golab.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --forwarded-allow-ips=127.0.0.1

# Browser tests drive Debian's Chromium; install it when we may.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "error: the browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium'" >&2; exit 1; \
	  fi; \
	fi

test: install-test chromium
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# For quick local loops only: CI runs `make test`, and refuses a run that deselected tests.
test-fast: install-test
	$(VENV)/bin/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -r golab cases evidence common -x '*/migrations/*' -q
	$(VENV)/bin/mypy

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Speed targets live here, never in timed tests. Uses a throwaway SQLite database unless
# DATABASE_URL names an (empty) PostgreSQL one.
bench: install
	$(PY) bench/import_indigo.py
	$(PY) bench/pages.py
	$(PY) bench/downloads.py
	$(PY) bench/import_memory.py

# The app at scale beside Datasette (README, "Benchmarks at scale"); BENCH_ARGS e.g.
# "--projects 10000 --documents 20000 --duration 5". Uses wrk when installed.
bench-scale: install
	$(PIP) install -e '.[bench]'
	$(PY) bench/scale.py $(BENCH_ARGS)

# The bundled snapshot at 32 connections (README, "Load"); BENCH_ARGS e.g. "--during-import".
bench-load: install
	$(PY) bench/load.py $(BENCH_ARGS)

# Target 7: before and after at 1x, alternating; BENCH_ARGS e.g. "--before <commit> --after .".
bench-before-after: install
	$(PY) bench/before_after.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/staticfiles
