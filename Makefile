# Workledger — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

LOCK   := requirements.lock

# Message catalogues (kit/i18n.py): one .po per language, compiled to .mo on install.
LOCALE    := src/workledger/locale
PO_FILES  := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)
MO_FILES  := $(PO_FILES:.po=.mo)

.PHONY: install messages lock run test fuzz lint browser bench clean

install: $(VENV)/.installed $(MO_FILES)

# Exactly the lock, nothing resolved here: every package (pip and setuptools too) at its
# locked version and hash, then the project itself without touching them. A new virtualenv
# each time, so that a package the lock dropped does not linger; `pip check` fails when
# pyproject.toml asks for a package the lock lacks (run `make lock`).
$(VENV)/.installed: $(LOCK) pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(LOCALE) -D messages -l $*

# After adding or changing an N_("...") message or a page's text: extract, merge into every catalogue, then
# translate the new (empty) entries; tests/test_catalogues.py fails until all are done.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 \
	  --no-default-keywords --sort-output \
	  --omit-header --no-location -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages \
	  --no-fuzzy-matching --ignore-obsolete --width 100

# Upgrading is a deliberate commit of requirements.lock (docs/operations.md §1):
#   make lock                   after editing pyproject.toml; every pin that still fits stays
#   make lock UPGRADE=fastapi   that package (and what it needs) to its newest allowed version
#   make lock UPGRADE=all       every package to its newest allowed version
# The lock is for CPython 3.11 on Linux, the Python of the machines and CI.
UPGRADE ?=
ifeq ($(UPGRADE),all)
UPGRADE_FLAGS := --upgrade
else
UPGRADE_FLAGS := $(foreach package,$(UPGRADE),--upgrade-package $(package))
endif

lock: $(BIN)/pip-compile
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet \
	  --extra test --all-build-deps --allow-unsafe --generate-hashes --strip-extras \
	  --no-emit-index-url --no-emit-find-links $(UPGRADE_FLAGS) \
	  --output-file $(LOCK) pyproject.toml

# Only when missing: a stale install is still good enough to compile a new lock with.
$(BIN)/pip-compile:
	$(MAKE) $(VENV)/.installed

# Embedded default: SQLite under var/, no other service. Development mode for all three
# commands: plain HTTP, and without WORKLEDGER_SECRET_KEY a key kept in var/secret.key.
# serve --dev makes WORKLEDGER_PUBLIC_URL http://127.0.0.1:$(PORT) unless it is set.
# migrate migrates the sandbox too; its first restore (from then on weekly, and on the
# Sandbox page) gives it the demo data: /sandbox/docs works with the same credentials.
run: export WORKLEDGER_DEV = true
run: install
	$(BIN)/workledger migrate
	WORKLEDGER_PUBLIC_URL=$${WORKLEDGER_PUBLIC_URL:-http://127.0.0.1:$(PORT)} \
	  $(BIN)/workledger demo --first-time
	$(BIN)/workledger sandbox restore --first-time
	$(BIN)/workledger serve --dev --port $(PORT)

# Debian's chromium drives the browser tests (Playwright's own download cannot work offline).
# Debian's chromium for the page tests, and jq, which the docs' examples pipe into (the
# suite runs them: tests/test_docs_examples.py).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium jq >/dev/null; }

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

# Schemathesis over every operation of /openapi.json against a live server on a fresh
# database (fuzz/run.py): SQLite; then PostgreSQL and Redis when the test URLs are set.
FUZZ_TIME ?= 120
fuzz: install
	$(BIN)/python fuzz/run.py --max-time $(FUZZ_TIME)
	@if [ -n "$$WORKLEDGER_TEST_DATABASE_URL" ]; then \
	  $(BIN)/python fuzz/run.py --max-time $(FUZZ_TIME) \
	    --postgres "$$WORKLEDGER_TEST_DATABASE_URL" --redis "$$WORKLEDGER_TEST_REDIS_URL"; \
	fi

lint: install
	$(BIN)/ruff check .

# Benchmarks on this machine's PostgreSQL (figures in bench/README.md; never a test).
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/auth_cost.py

clean:
	rm -rf $(VENV) var
