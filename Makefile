# PharOS — the two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs first (virtualenv, Python packages, bun, and for tests Chromium).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

export REFLEX_TELEMETRY_ENABLED ?= false
export REFLEX_CHECK_LATEST_VERSION ?= false

.PHONY: run test install lint chromium clean

run: install          ## install, then run the whole product (embedded Postgres/Redis unless URLs are set)
	$(BIN)/pharos up

# Two pytest sessions: the browser tests get a database of their own, seeded with the demo as
# `make run` seeds it (integration tests change the demo tenant's data). PYTEST_ARGS: one session.
test: install chromium lint   ## install, then run every test (unit, integration, browser)
ifeq ($(strip $(PYTEST_ARGS)),)
	$(BIN)/python -m pytest -p no:cacheprovider tests/unit tests/integration
	$(BIN)/python -m pytest -p no:cacheprovider tests/e2e
else
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)
endif

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/basedpyright -p .

chromium:             ## Debian's Chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf $(VENV) .web .states .tools .pytest_cache
