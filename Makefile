# One Window portal. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.DEFAULT_GOAL := help
.PHONY: help install run test lint translations extract compile bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' > $(VENV)/pip.log 2>&1 \
		|| (cat $(VENV)/pip.log; exit 1)
	touch $(STAMP)

install: $(STAMP) compile ## Create the virtualenv and install the portal with its dev tools

# `demo load` is told the address `serve` will answer on, for the links it prints (a kiosk's enrolment link).
run: install ## Run the portal with demo data on http://127.0.0.1:5000 (SQLite, embedded Redis, one worker; PORT=8000 for another port)
	$(FLASK) db upgrade
	PORTAL_SERVED_URL=http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT) $(FLASK) demo load
	$(FLASK) serve --host $(HOST) --port $(PORT)

test: install ## Run the whole test suite (set DATABASE_URL / REDIS_URL to use real servers)
	$(BIN)/pytest -q --durations=20

lint: install ## Check the code with ruff, and the layers with import-linter (contracts in pyproject.toml)
	$(BIN)/ruff check portal tests bench app.py migrations tools
	PYTHONPATH=. $(BIN)/lint-imports --no-cache

extract: $(STAMP)
	$(BIN)/pybabel -q extract -F translations/babel.cfg -k _l -k lazy_gettext --no-location \
		--sort-output --project "One Window" -o translations/messages.pot .

compile: $(STAMP)
	$(BIN)/pybabel -q compile -d translations

translations: extract ## Extract UI strings, update the km and en catalogues, compile them
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(MAKE) compile

bench: install ## Run every benchmark, then one table of all rows (never fails on time; own SQLite, or own DB on DATABASE_URL's server; BENCH_ARGS="--quick --only x,y --out FILE")
	$(BIN)/python bench/report.py $(BENCH_ARGS)

clean: ## Remove the virtualenv and the local instance data
	rm -rf $(VENV) instance
