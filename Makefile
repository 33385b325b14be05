# Liaison: `make run` serves the demo, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HTMX := src/liaison/web/static/vendor/htmx.min.js

.PHONY: run test bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Front-end libraries come from the npm registry (package-lock.json); the copy is gitignored.
$(HTMX): package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(dir $(HTMX))
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)

install: $(STAMP) $(HTMX)

run: $(STAMP) $(HTMX)
	$(BIN)/liaison serve --demo

# In parallel (pytest-xdist), a test module per worker at a time: a module's tests share its
# live server and may build on one another. TEST_WORKERS=0 runs them in this one process.
TEST_WORKERS ?= 2

test: $(STAMP) $(HTMX)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
