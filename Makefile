# Two commands for a new user: `make run` (demo server) and `make test` (all tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The demo and the tests run with DEBUG on and a throwaway key; production sets
# DEBUG=0, SECRET_KEY and ALLOWED_HOSTS in the environment instead. Even with DEBUG on
# errors show the app's Japanese pages; `DEBUG_PAGES=1 make run` shows Django's instead.
export DEBUG ?= 1

.PHONY: run serve test test-fast e2e lint format install lock system-deps browser-deps migrate demo bench bench-scale clean

# Installs the exact versions in requirements-dev.lock (hash-checked), then the project
# itself without resolving anything again. `make lock` is the only thing that changes a pin.
$(VENV)/.installed: requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Rewrites both lock files from pyproject.toml, for every platform and Python 3.11+.
# Pins that still fit are kept; `make lock LOCK_ARGS=--upgrade` moves every pin to the
# newest allowed release, LOCK_ARGS="--upgrade-package django" only one. Review, commit.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 \
	--generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_ARGS)
lock: install
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

system-deps:
	@bash scripts/check_system.sh

browser-deps:
	@bash scripts/check_system.sh --browser

migrate: install system-deps
	@mkdir -p var
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

# The demo's whole set (about 160 findings) is below the production threshold for a PDF
# made in the background (200): the demo lowers it so a new user sees ダウンロード一覧 at work.
DEMO_BACKGROUND_PDF ?= 100

# The demo signs in with a password alone (MFA_REQUIRED=0); production asks the
# 監査担当, 管理職 and 管理者 for a second factor. The task worker (django-tasks' db_worker,
# which sends the reminder digests) runs beside the web server; the trap stops it however
# runserver ends (Ctrl-C, an error, a kill). --no-reload: a reloading worker is a parent
# and a child, and the child would outlive a kill of the parent. Mail goes to the console.
run: demo
	@echo "措置状況管理: http://127.0.0.1:$(PORT)/accounts/login/"
	@MFA_REQUIRED=0 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM HUP; \
	MFA_REQUIRED=0 EXPORT_BACKGROUND_PDF=$(DEMO_BACKGROUND_PDF) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production configuration, locally: gunicorn, DEBUG off, collected static files.
serve: install system-deps
	PY=$(PY) PORT=$(PORT) bash scripts/serve.sh

test: install system-deps browser-deps
	$(PY) -m pytest

test-fast: install system-deps
	$(PY) -m pytest -m "not e2e"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: install system-deps
	$(PY) bench/reports.py
	$(PY) bench/inspections.py

# Issue 13's scale benchmark: fills a throwaway PostgreSQL database (dropped and made
# anew) with BENCH_FINDINGS findings, then serves it with gunicorn and times the pages.
# Takes minutes at 100,000; `BENCH_FINDINGS=1000000` for the shared-service size.
BENCH_FINDINGS ?= 100000
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_DB ?= sochi_bench_scale
bench-scale: install system-deps
	psql -q "$(BENCH_PG)/postgres" -c "DROP DATABASE IF EXISTS $(BENCH_DB)" -c "CREATE DATABASE $(BENCH_DB)"
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(PY) bench/scale_data.py --findings $(BENCH_FINDINGS)
	DATABASE_URL=$(BENCH_PG)/$(BENCH_DB) $(PY) bench/scale.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache test-results
