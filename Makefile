# One command to serve, one to test. Everything lands in ./.venv and ./web/node_modules.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
WEB_STAMP := web/dist/graphiql/index.html
WEB_DEPS := web/node_modules/.package-lock.json
WEB_SOURCES := schema.graphql web/package.json web/package-lock.json web/index.html web/vite.config.ts \
	web/codegen.ts web/tsconfig.json $(wildcard web/scripts/*) $(wildcard web/graphiql/*) \
	$(shell find web/src -type f -not -path 'web/src/gql/*' 2>/dev/null)

.PHONY: install web run test lint schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

# The web app and GraphiQL, built whenever a source (or the schema it is typed from) changes.
# GraphiQL's scripts are in the build, so it works on a NAS without internet.
$(WEB_STAMP): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npm run build

web:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(WEB_STAMP); \
	else echo "npm not found: skipping the web build (the app and GraphiQL will say they are not built)"; fi

run: install web
	$(BIN)/ai-service serve

# The embedded default always; PostgreSQL + Redis too when TEST_DATABASE_URL is set.
test: install $(WEB_STAMP)
	cd web && npm test
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL + Redis =="; \
		AI_SERVICE_TEST_BACKEND=services $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

schema: install
	$(BIN)/ai-service export-schema

bench: install
	$(BIN)/python benchmarks/graphql_vs_bare.py
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) web/node_modules web/dist .pytest_cache .mypy_cache .ruff_cache
