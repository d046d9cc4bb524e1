# Everyday tasks. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed
# pytest-xdist workers for make test (the suite is CPU-bound; one per core).
PYTEST_WORKERS ?= 2
# How xdist hands out the tests: each module whole (its servers and parsed workbooks are made
# once), in the order of the collection, which tests/conftest.py starts with the slowest modules
# (pytest_collection_modifyitems there), so that no long module is left to run alone at the end.
PYTEST_DIST ?= --dist loadfile --no-loadscope-reorder

.PHONY: run test lint format migrations-check messages demo-data other-shape-fixture install pytest pytest-pg clean screenshots bench bundle

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/shinchoku migrate --noinput
	$(BIN)/shinchoku load-demo --if-empty
	# A developer's server: DEBUG on (error details in the browser, cookies over plain HTTP), and
	# beside it the task worker (report PDFs, e-mail on the console, daily reminders); Ctrl+C
	# stops both.
	SHINCHOKU_DEBUG=1 bash -c 'trap "kill 0" EXIT; $(BIN)/shinchoku worker & \
		$(BIN)/shinchoku runserver 127.0.0.1:$(PORT)'

test: $(STAMP) lint migrations-check pytest pytest-pg

lint: $(STAMP)
	$(BIN)/ruff check shinchoku tests benchmarks scripts
	$(BIN)/ruff format --check shinchoku tests benchmarks scripts

format: $(STAMP)
	$(BIN)/ruff format shinchoku tests benchmarks scripts
	$(BIN)/ruff check --fix shinchoku tests benchmarks scripts

migrations-check: $(STAMP)
	$(BIN)/shinchoku makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST)

# The same suite against PostgreSQL when a server is reachable; says so when it skips.
pytest-pg: $(STAMP)
	@if $(BIN)/python -m shinchoku.pgcheck "$(PG_TEST_URL)"; then \
		echo "== PostgreSQL reachable: running the suite against $(PG_TEST_URL)"; \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_DIST); \
	else \
		echo "== PostgreSQL not reachable at $(PG_TEST_URL): skipping the PostgreSQL run"; \
	fi

messages: $(STAMP)
	cd shinchoku && ../$(BIN)/shinchoku makemessages -l ja -l en --no-obsolete
	# Japanese has one plural form; makemessages adds an empty second one that msgfmt rejects.
	# The public pages and the reports keep their own catalogues (shinchoku/<app>/locale).
	find shinchoku -path '*/locale/ja/LC_MESSAGES/django.po' -exec sed -i '/^msgstr\[1\] ""$$/d' {} +
	cd shinchoku && ../$(BIN)/shinchoku compilemessages

# Every page type at 1366 px and 390 px, and the printouts, into docs/screenshots (a demo server
# of its own on a temporary SQLite file; Chromium, LibreOffice and pdftoppm from Debian).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

# Re-read the seed documents and rewrite the committed demo data set.
demo-data: $(STAMP)
	$(BIN)/shinchoku migrate --noinput
	$(BIN)/shinchoku import-seeds ../shared/seeds --json-out shinchoku/plans/demo --no-load

# Rewrite the test workbook of another council's plan, saved once through LibreOffice if present.
other-shape-fixture: $(STAMP)
	$(BIN)/python tests/fixtures/make_other_shape_workbook.py tests/fixtures/other_shape_plan.xlsx
	if command -v soffice >/dev/null; then \
		tmp=$$(mktemp -d); \
		soffice --headless --norestore -env:UserInstallation=file://$$tmp/profile \
			--convert-to 'xlsx:Calc MS Excel 2007 XML' --outdir $$tmp tests/fixtures/other_shape_plan.xlsx \
			&& cp $$tmp/other_shape_plan.xlsx tests/fixtures/other_shape_plan.xlsx; \
		rm -rf $$tmp; \
	fi

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

# Benchmarks (issue 16, benchmarks/README.md): CPU and queries per page at each size of synthetic
# councils, then the deadline-day load test against gunicorn, on a PostgreSQL database of their own
# (dropped and made again). Minutes of both cores: not on a machine others are using.
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/bench_h
BENCH_SIZES ?= 1,30,300
BENCH_LOAD_COUNCILS ?= 1800
# Every 20th council of the load test's has an approved, published year (its public pages).
BENCH_SAMPLE_EVERY ?= 20
BENCH_DURATION ?= 90
bench: $(STAMP)
	DATABASE_URL="$(BENCH_DB_URL)" $(BIN)/python benchmarks/pages.py --sizes $(BENCH_SIZES) --fresh
	DATABASE_URL="$(BENCH_DB_URL)" $(BIN)/python benchmarks/load.py \
		--councils $(BENCH_LOAD_COUNCILS) --sample-every $(BENCH_SAMPLE_EVERY) --duration $(BENCH_DURATION)

# The offline bundle for isolated networks (LGWAN; docs/production.md): the product's wheel, every
# dependency's wheel, the font licences and a README in dist/shinchoku-bundle-<version>.tar.gz.
# Building uses PyPI; installing it does not. WHEEL_CACHE keeps dependency wheels between builds.
WHEEL_CACHE ?= dist/wheel-cache
bundle: $(STAMP)
	$(BIN)/python scripts/bundle.py --out dist --wheel-cache $(WHEEL_CACHE)
