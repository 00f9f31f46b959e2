# Workledger — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: install run test lint browser bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Embedded default: SQLite under var/, no other service.
run: install
	$(BIN)/workledger migrate
	$(BIN)/workledger demo --first-time
	$(BIN)/workledger serve --dev --port $(PORT)

# Debian's chromium drives the browser tests (Playwright's own download cannot work offline).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The suite on SQLite; then, when WORKLEDGER_TEST_DATABASE_URL / _REDIS_URL are set,
# the same suite on PostgreSQL and Redis.
# pytest's exit code 5 (no test collected) is a failure, said plainly.
PYTEST = $(BIN)/pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -ne 5 ] || echo "no test was collected" >&2; exit $$rc; }

test: install browser
	@echo "== the suite on SQLite =="
	$(PYTEST)
	@if [ -n "$$WORKLEDGER_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL + Redis =="; \
	  WORKLEDGER_TEST_BACKEND=postgres $(PYTEST); \
	fi

lint: install
	$(BIN)/ruff check .

# Benchmarks on this machine's PostgreSQL (figures in bench/README.md; never a test).
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/auth_cost.py

clean:
	rm -rf $(VENV) var
