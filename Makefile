# Everyday tasks. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
STAMP := $(VENV)/.installed

.PHONY: run test lint format migrations-check messages demo-data install pytest pytest-pg clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/shinchoku migrate --noinput
	$(BIN)/shinchoku load-demo --if-empty
	$(BIN)/shinchoku runserver 127.0.0.1:$(PORT)

test: $(STAMP) lint migrations-check pytest pytest-pg

lint: $(STAMP)
	$(BIN)/ruff check shinchoku tests
	$(BIN)/ruff format --check shinchoku tests

format: $(STAMP)
	$(BIN)/ruff format shinchoku tests
	$(BIN)/ruff check --fix shinchoku tests

migrations-check: $(STAMP)
	$(BIN)/shinchoku makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest

# The same suite against PostgreSQL when a server is reachable; says so when it skips.
pytest-pg: $(STAMP)
	@if $(BIN)/python -m shinchoku.pgcheck "$(PG_TEST_URL)"; then \
		echo "== PostgreSQL reachable: running the suite against $(PG_TEST_URL)"; \
		DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest; \
	else \
		echo "== PostgreSQL not reachable at $(PG_TEST_URL): skipping the PostgreSQL run"; \
	fi

messages: $(STAMP)
	cd shinchoku && ../$(BIN)/shinchoku makemessages -l ja -l en --no-obsolete
	# Japanese has one plural form; makemessages adds an empty second one that msgfmt rejects.
	sed -i '/^msgstr\[1\] ""$$/d' shinchoku/locale/ja/LC_MESSAGES/django.po
	cd shinchoku && ../$(BIN)/shinchoku compilemessages

# Re-read the seed documents and rewrite the committed demo data set.
demo-data: $(STAMP)
	$(BIN)/shinchoku migrate --noinput
	$(BIN)/shinchoku import-seeds ../shared/seeds --json-out shinchoku/plans/demo --no-load

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
