# Two commands work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_PACKAGES := fonts-wqy-zenhei poppler-utils chromium zbar-tools
HOST ?= 127.0.0.1
PORT ?= 5000
export YEKUO_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test bench soak system-packages clean

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

run: $(STAMP) system-packages
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi demo
	YEKUO_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q

# The crash test with 200 SIGKILLs instead of 20.
soak: $(STAMP) system-packages
	YEKUO_SOAK_KILLS=200 $(BIN)/python -m pytest -q tests/e2e/test_crash.py

bench: $(STAMP) system-packages
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache
