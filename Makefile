# The two commands: `make run` and `make test`. Everything they need is installed from here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
# `make token USER=bob`; the shell's own $USER is not a demo user, so it is not the default.
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),alice)
GROUPS ?=
PORT ?= 8000
MOTO_PORT ?= 5000
# ClamAV from Debian (root installs directly, anyone else through sudo); freshclam is never run
# here (no internet): tests and `make run` scan with a database made from the EICAR test string.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CLAMAV_TEST_DB := .clamav/test-db
SWEEP_SECONDS ?= 60
CLIENT_TS := clients/typescript
CLIENT_NPM_STAMP := $(CLIENT_TS)/node_modules/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test token openapi bench lint unit integration infra contract clients clean deps node clamav chromium

$(STAMP): requirements.txt requirements-dev.txt infra/requirements.txt
	@echo "==> installing Python packages into $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# uv resolves and installs the same pinned requirements as pip in seconds instead of minutes
	@# (a fresh clone: about 7 s against 5 min with pip on 2 cores). It reads the system's CA
	@# certificates (native TLS), as pip does. pip stays in the venv: `chalice package` uses it.
	@$(PY) -m pip install --quiet "uv==$(UV_VERSION)" "pip<26.3"  # chalice 1.34 requires pip<26.3
	@UV_NATIVE_TLS=1 $(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements-dev.txt
	@touch $(STAMP)

deps: $(STAMP) clamav

clamav: $(STAMP)
	@command -v clamd >/dev/null && command -v clamscan >/dev/null && command -v sigtool >/dev/null || { \
	  echo "==> installing ClamAV (clamav, clamav-daemon) from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq clamav clamav-daemon >/dev/null; }
	@test -s $(CLAMAV_TEST_DB)/test.hdb || $(PY) -m local.clamav_local --build-db $(CLAMAV_TEST_DB) >/dev/null

# CDK synthesis runs on Node.js; install it from Debian where the machine lacks it. The generated
# TypeScript client needs npm too (Debian ships it apart; its Node.js 18 runs the pinned packages).
node:
	@command -v node >/dev/null || { echo "==> installing Node.js"; apt-get update -qq && apt-get install -y -qq nodejs >/dev/null; }
	@command -v npm >/dev/null || { echo "==> installing npm"; $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq npm >/dev/null; }

# openapi-typescript, openapi-fetch and tsc at the versions clients/typescript/package-lock.json pins.
$(CLIENT_NPM_STAMP): $(CLIENT_TS)/package.json $(CLIENT_TS)/package-lock.json | node
	@echo "==> installing the TypeScript client's npm packages (npm ci)"
	@cd $(CLIENT_TS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

# Headless Chromium for the test that opens /docs, from Debian (like ClamAV: root directly, anyone
# else through sudo).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "==> installing Chromium from Debian"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

run: deps
	@$(PY) -m local.run --port $(PORT) --moto-port $(MOTO_PORT) --sweep-seconds $(SWEEP_SECONDS)

# A token needs the Python packages only: no ClamAV. A demo operator (olga) gets their group.
token: $(STAMP)
	@$(PY) -m local.tokens $(TOKEN_USER) $(GROUPS)

openapi: deps
	@$(PY) -m local.openapi_file --write

# ruff.toml and mypy.ini say what is checked; zero findings is the bar.
lint: $(STAMP)
	@echo "==> lint (ruff) and types (mypy)"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy

# Each suite fails when pytest does, including its exit status 5: a suite that collected no test.
unit: deps
	@echo "==> unit tests"
	@$(PY) -m pytest tests/unit -q -p no:cacheprovider

integration: deps
	@echo "==> integration tests (moto + chalice.test.Client)"
	@$(PY) -m pytest tests/integration -q -p no:cacheprovider -n 2

infra: deps node
	@echo "==> infrastructure tests (CDK synth + cfn-lint)"
	@$(PY) -m pytest tests/infra -q -p no:cacheprovider

contract: deps
	@echo "==> contract tests (schemathesis against the locally served API)"
	@$(PY) -m pytest tests/contract -q -p no:cacheprovider

# What front ends build on: the TypeScript and Python clients generated from docs/openapi.json
# (a strict compile of clients/typescript/walk.ts; no operation dropped), and /docs in Chromium.
clients: deps $(CLIENT_NPM_STAMP) chromium
	@echo "==> generated clients (TypeScript, Python) and the docs page in headless Chromium"
	@$(PY) -m pytest tests/clients -q -p no:cacheprovider

test: lint unit integration infra contract clients
	@echo "==> all suites passed"

# `make bench ONLY="orders order_sweep"` runs only those sections (see benchmarks/run.py).
bench: deps
	@$(PY) -m benchmarks.run $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis infra/cdk.out .clamav $(CLIENT_TS)/node_modules $(CLIENT_TS)/generated $(CLIENT_TS)/dist
