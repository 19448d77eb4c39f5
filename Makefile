# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

.PHONY: run test lint schema bench venv dev migrate demo clean-embedded browser

# Two installs: requirements/base.lock is the service (what `make run` and production get);
# requirements/dev.lock adds the test, lint, bench and browser tools (`make test`, `make bench`).
$(VENV)/.installed-base: requirements/base.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.lock
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.lock
	$(PY) -m pip install --quiet -r requirements/dev.lock
	@touch $@

venv: $(VENV)/.installed-base

dev: $(VENV)/.installed-dev

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	DEMO=1 $(PY) manage.py seed_demo

# Service in the foreground: gunicorn on $(PORT), a Celery worker and beat. Ctrl-C stops all.
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py pdf_font_prepare
	$(VENV)/bin/honcho start -f Procfile

# ruff, and import-linter's one-way layers contract (pyproject.toml: [tool.importlinter]).
lint: dev
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports

schema: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# The browser tests drive Debian's Chromium (headless) and need a CJK font for readable screenshots.
# Installed from Debian's packages where missing (as root, or through password-less sudo).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
browser:
	@if [ ! -x $(CHROMIUM) ] || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  echo "installing Debian chromium and fonts-noto-cjk for the browser tests"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null \
	    || { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; }; \
	fi
	@$(CHROMIUM) --version

# The suite on both cores (pytest-xdist, one test database per worker), then the browser tests alone:
# they share one Chromium and a live server.
test: lint schema browser
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py pdf_font_prepare --verbosity 0
	$(PY) -m pytest -n 2 --ignore=tests/browser
	$(PY) -m pytest tests/browser

# BENCH_ENTITIES=10000 BENCH_QUICK=1 make bench: a smoke test of a few minutes (benchmarks/ratios.py lists the knobs).
# ratios.py also runs benchmarks/load.py (the locust mix) on its 100,000-entity database.
bench: dev
	$(PY) benchmarks/run.py
	$(PY) benchmarks/measures_bench.py
	$(PY) benchmarks/ratios.py

clean-embedded:
	-$(PY) manage.py embedded stop
	rm -rf var/
