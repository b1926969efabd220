# Every target bootstraps .venv from nothing: a fresh machine needs only python3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
# A state file kept across restarts (orgkit serve --state); empty: the state lives in memory.
STATE ?=

SPECTRAL := tools/spectral/node_modules/.bin/spectral
REDOCLY := tools/redocly/node_modules/.bin/redocly

.PHONY: help install browser serve test lint typecheck unit bench prove clean

help:
	@echo "make serve   run the mock (SVX under /svx, Transmit under /cis) on $(HOST):$(PORT)"
	@echo "             make serve PORT=9000 HOST=0.0.0.0 STATE=mock.db (STATE: keep state in a file)"
	@echo "make test    ruff + lint-imports + mypy + pytest (the CI gate)"
	@echo "make bench   benchmarks (prints a table, writes BENCHMARKS.md)"
	@echo "make prove   long proving runs: 10k+ fuzz cases, JWT attacks, 50-client load"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "installing orgkit and its dependencies into $(VENV) (first run only; a minute or two) ..."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# The independent OpenAPI linter the specs must pass (tests/specs/test_lint.py), pinned by its lock.
$(SPECTRAL): tools/spectral/package.json tools/spectral/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js 20+ (the spec lint test needs Spectral)" >&2; exit 2; }
	@echo "installing Spectral (spec linter) into tools/spectral ..."
	cd tools/spectral && npm ci --no-audit --no-fund --loglevel=error
	@touch $(SPECTRAL)

# The second linter of the documents we hand out (Redocly CLI, `recommended`), pinned by its lock.
$(REDOCLY): tools/redocly/package.json tools/redocly/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: npm not found; install Node.js 20.19+ (the spec lint test needs Redocly)" >&2; exit 2; }
	@echo "installing Redocly CLI (spec linter) into tools/redocly ..."
	cd tools/redocly && npm ci --no-audit --no-fund --loglevel=error
	@touch $(REDOCLY)

serve: $(STAMP)
	$(BIN)/orgkit serve --host "$(HOST)" --port "$(PORT)" $(if $(STATE),--state "$(STATE)")

# lint-imports: the import contracts in pyproject.toml ([tool.importlinter]); no cache file.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo

typecheck: $(STAMP)
	$(BIN)/mypy orgkit orgkit_cli mockserver contract_tests fixtures benchmarks tests

unit: $(STAMP) $(SPECTRAL) $(REDOCLY) browser
	$(BIN)/python -m pytest

test: lint typecheck unit

# The dashboard's browser test drives the OS's Chromium. Installed here when missing and we are
# root (CI is); otherwise the test skips, or fails under CI with what to install.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and chromium-driver (the dashboard's browser test) ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver >/dev/null || echo "warning: apt-get could not install chromium" >&2; \
	  else \
	    echo "note: no /usr/bin/chromium; run 'apt-get install chromium chromium-driver' as root, or the dashboard's browser test is skipped" >&2; \
	  fi; \
	fi

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py

prove: $(STAMP)
	$(BIN)/python benchmarks/prove.py

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache tools/spectral/node_modules tools/redocly/node_modules
