# MarOps: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
MANAGE := $(UV) run --frozen python manage.py
PORT ?= 8000

.PHONY: run test setup lint bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

# Virtualenv from the committed uv.lock.
setup: $(UV)
	$(UV) sync --frozen --quiet

# Serve the app at http://127.0.0.1:$(PORT) with a Celery worker and beat beside it.
# SQLite and a local filesystem broker unless DATABASE_URL / REDIS_URL say otherwise.
run: export DJANGO_DEBUG ?= 1
run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) seed_demo --if-empty
	@mkdir -p var
	@trap 'kill 0' EXIT INT TERM; \
	$(UV) run --frozen celery -A marops worker --beat --pool=solo --loglevel=WARNING \
	  -s var/celerybeat-schedule & \
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# The whole suite on the real PostgreSQL, Redis, Celery worker and Chromium.
test: setup
	@./scripts/ensure-services.sh
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports
	$(UV) run --frozen mypy
	DJANGO_SETTINGS_MODULE=marops.test_settings $(MANAGE) makemigrations --check --dry-run >/dev/null
	$(UV) run --frozen pytest --create-db --durations=10

# Enterprise-scale figures on a scratch PostgreSQL database (not part of make test).
# Ten times the organisation: `make bench BENCH_SCALE=10` (or ARGS="--scale 10"); ARGS="--reuse" measures
# again on the database the last run built, ARGS="--only scan,lists" some measures only (bench/run.py).
bench: export BENCH_SCALE ?= 1
bench: setup
	@./scripts/ensure-services.sh
	$(UV) run --frozen python bench/run.py $(ARGS)

lint: setup
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports
	$(UV) run --frozen mypy

clean:
	rm -rf .venv .tools var staticfiles db.sqlite3
