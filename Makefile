# Two commands work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := fonts-wqy-zenhei poppler-utils chromium zbar-tools nodejs postgresql
APP := field_app
APP_SOURCES := $(wildcard $(APP)/src/*.js $(APP)/src/*/*.js $(APP)/src/*.css $(APP)/public/*) $(APP)/index.html $(APP)/build.mjs
HOST ?= 127.0.0.1
PORT ?= 5000
export YEKUO_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench soak system-packages field-app clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Installs missing Debian packages when running as root; otherwise says what is missing.
system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages (run as root or install):$$missing"; fi; \
	fi

# The field app (served at /app/): npm packages pinned by package-lock.json, then an esbuild bundle.
$(APP)/node_modules/.installed: $(APP)/package.json $(APP)/package-lock.json | system-packages
	cd $(APP) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(APP)/dist/index.html: $(APP)/node_modules/.installed $(APP_SOURCES)
	cd $(APP) && npm run --silent build

field-app: $(APP)/dist/index.html

run: $(STAMP) system-packages field-app
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi demo
	YEKUO_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The field app's tests; its scheme builder against golden vectors the Python builder writes now; then
# two lanes, one per core, both must pass: every suite on SQLite, and beside it the sync, jobs, API,
# console and sync end-to-end suites again on a throwaway PostgreSQL cluster (tests/postgres.py; its
# crash test kills 6 times, the SQLite one 20, `make soak` 200), followed in that lane by the tests
# that start PostgreSQL clusters of their own (two servers on one database, the bench's smoke run) and
# by the SQLite run of the schemathesis suite (26 s alone): that balances the lanes, the SQLite one being
# the longer by about a minute without it.
PG_SUITES := tests/sync tests/api tests/jobs tests/web tests/e2e/test_crash.py tests/e2e/test_convergence.py \
	tests/e2e/test_concurrent_signing.py tests/e2e/test_sync_client.py tests/e2e/test_lifecycle.py
PG_LANE_TOO := tests/e2e/test_postgres.py tests/test_benchmarks.py tests/api/test_schemathesis.py
PG_LOG := $(VENV)/postgres-leg.log
test: $(STAMP) system-packages field-app
	$(BIN)/python -m tests.golden_vectors $(APP)/test/golden/vectors.json
	cd $(APP) && npm test --silent
	( YEKUO_TEST_ENGINE=postgres YEKUO_SOAK_KILLS=6 $(BIN)/python -m pytest -q -rs -p no:cacheprovider $(PG_SUITES); \
	  leg=$$?; $(BIN)/python -m pytest -q -rs -p no:cacheprovider $(PG_LANE_TOO); exit $$((leg || $$?)) ) \
	  > $(PG_LOG) 2>&1 & \
	  postgres=$$!; $(BIN)/python -m pytest -q $(addprefix --ignore=,$(PG_LANE_TOO)); sqlite=$$?; \
	  wait $$postgres; pg=$$?; \
	  echo "---- the PostgreSQL lane ----"; cat $(PG_LOG); \
	  echo "SQLite lane: exit $$sqlite, PostgreSQL lane: exit $$pg"; test $$sqlite -eq 0 && test $$pg -eq 0

# The crash test with 200 SIGKILLs instead of 20.
soak: $(STAMP) system-packages
	YEKUO_SOAK_KILLS=200 $(BIN)/python -m pytest -q tests/e2e/test_crash.py

bench: $(STAMP) system-packages field-app
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache $(APP)/node_modules $(APP)/dist
