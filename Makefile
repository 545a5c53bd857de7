# Developer and CI entry points. `make test` is what CI runs (.ci/run); `make help` lists targets.
# Needs only Python 3.11+ with pip, GNU make, bash and git: the targets install the rest.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Interpreter that creates the virtualenvs.
BOOTSTRAP_PYTHON ?= python3

VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# SAM CLI pins conflict with the project's dependencies, so it has a virtualenv of its own.
SAM_CLI_VERSION := 1.170.0
AWS_REGION := us-east-1

VENV_STAMP := $(VENV)/.installed
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
# checkov (~300 MB with its dependencies, ~3 min to install) has a virtualenv of its own and runs in
# `make security`, not in `make test`.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
PIP_QUIET := --quiet --quiet --disable-pip-version-check

# Type-checked as one program; folders without Python files yet are left out. Each function
# folder is checked on its own, because every function's entry point is a module named `app`.
TYPECHECK_DIRS := layers/shared/lms infra bench
has_python = $(shell find $(1) -name '*.py' -print -quit 2>/dev/null)
typecheck_dirs = $(foreach dir,$(TYPECHECK_DIRS),$(if $(call has_python,$(dir)),$(dir)))
function_dirs = $(foreach dir,$(wildcard functions/*/),$(if $(call has_python,$(dir)),$(dir:/=)))

# SAM CLI must not phone home: no telemetry, no instance-metadata credential probes.
export SAM_CLI_TELEMETRY := 0
export AWS_EC2_METADATA_DISABLED := true

.PHONY: help venv test lint format-check types imports bandit security template pytest e2e dev sql redrive catalog-rebuild bench docs build layer clean

help:
	@echo "make test    lint, types, import contracts, bandit, template checks, then the test suites (what CI runs)"
	@echo "make security  bandit, and checkov on template.yaml (installs checkov on first use)"
	@echo "make dev     run the local stack (emulated AWS from template.yaml)"
	@echo "make sql Q=\"SELECT ...\"  SQL over the running local stack's event archive (DuckDB)"
	@echo "make redrive move dead letters back to their queues (STAGE=, ENDPOINT= for the local stack)"
	@echo "make catalog-rebuild INSTITUTIONS=\"<id> ...\"  rebuild institutions' catalog indexes from their courses (STAGE=, ENDPOINT=)"
	@echo "make build   sam build for python3.13/arm64, without Docker, into .aws-sam/build"
	@echo "make layer   build only the shared layer into build/layer/python"
	@echo "make bench   measure and write docs/benchmarks.md (ONLY=GetLesson,quizzes,coldstart: just those, merged into it)"
	@echo "make docs    generate the documentation derived from the code"
	@echo "make clean   remove build outputs and caches (the virtualenvs stay)"

# ------------------------------------------------------------------ virtualenvs

venv: $(VENV_STAMP) $(SAM_STAMP)

$(VENV_STAMP): pyproject.toml
	@echo "==> venv: installing the project and its dev dependencies into $(VENV)"
	@test -x $(PY) || $(BOOTSTRAP_PYTHON) -m venv $(VENV)
	@$(PY) -m pip install $(PIP_QUIET) --upgrade pip
	@$(PY) -m pip install $(PIP_QUIET) -e '.[dev]'
	@touch $@

$(SAM_STAMP):
	@echo "==> venv: installing aws-sam-cli $(SAM_CLI_VERSION) into $(SAM_VENV)"
	@test -x $(SAM_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(SAM_VENV)
	@$(SAM_VENV)/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	@$(SAM_VENV)/bin/python -m pip install $(PIP_QUIET) 'aws-sam-cli==$(SAM_CLI_VERSION)'
	@rm -f $(SAM_VENV)/.installed-*
	@touch $@

# ------------------------------------------------------------------ checks and tests
# `make -k test` runs every stage even when an earlier one fails.

test: lint format-check types imports bandit template pytest e2e
	@echo "==> test: every stage passed"

lint: venv
	@echo "==> lint: ruff check"
	@$(VENV)/bin/ruff check .

format-check: venv
	@echo "==> lint: ruff format --check"
	@$(VENV)/bin/ruff format --check .

types: venv
	@failed=0; \
	echo "==> types: mypy $(strip $(typecheck_dirs))"; \
	$(VENV)/bin/mypy $(typecheck_dirs) || failed=1; \
	for dir in $(function_dirs); do \
		echo "==> types: mypy $$dir"; \
		MYPYPATH="$$dir" $(VENV)/bin/mypy "$$dir" || failed=1; \
	done; \
	exit $$failed

# The context boundaries of docs/architecture.md, as import-linter contracts (pyproject.toml).
imports: venv
	@echo "==> imports: lint-imports (context boundaries)"
	@$(VENV)/bin/lint-imports --no-cache

# Medium and high findings; each accepted one is marked in place (`# nosec Bxxx - why`).
bandit: venv
	@echo "==> security: bandit -ll on layers, functions, infra"
	@$(VENV)/bin/bandit -ll -q -r layers functions infra

# Every skipped check is marked in the template (a resource's Metadata.checkov.skip, with why).
security: bandit $(CHECKOV_STAMP)
	@echo "==> security: checkov on template.yaml"
	@$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

$(CHECKOV_STAMP):
	@echo "==> venv: installing checkov $(CHECKOV_VERSION) into $(CHECKOV_VENV)"
	@test -x $(CHECKOV_VENV)/bin/python || $(BOOTSTRAP_PYTHON) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install $(PIP_QUIET) 'checkov==$(CHECKOV_VERSION)'
	@rm -f $(CHECKOV_VENV)/.installed-*
	@touch $@

template: venv
	@echo "==> template: cfn-lint template.yaml"
	@$(VENV)/bin/cfn-lint template.yaml
	@echo "==> template: sam validate --lint"
	@$(SAM) validate --lint --template template.yaml --region $(AWS_REGION)

# loadfile keeps a module on one worker: its module-scoped stack (and the layer build) happen once.
pytest: venv
	@echo "==> tests: pytest -n 2 (everything but e2e)"
	@$(PY) -m pytest -n 2 --dist loadfile tests --ignore=tests/e2e

# In a process of its own: it runs a real moto server, which in-process mocks would intercept.
e2e: venv
	@echo "==> tests: pytest tests/e2e (HTTP against the local stack)"
	@$(PY) -m pytest tests/e2e

# ------------------------------------------------------------------ run, measure, document

dev: venv
	$(PY) -m infra.local_stack

# The same SQL as Athena's over the archived events of `make dev` (docs/analytics-sql.md).
# The query reaches the command through the environment, so any quotes in it stay as written.
sql: export Q := $(Q)
sql: venv
	@test -n "$$Q" || { echo 'usage: make sql Q="SELECT count(*) FROM events"' >&2; exit 2; }
	@$(PY) -m infra.sql "$$Q"

# Against AWS: make redrive STAGE=prod. Against `make dev`: make redrive STAGE=local ENDPOINT=http://127.0.0.1:4566
redrive: venv
	$(PY) -m infra.redrive --stage $(or $(STAGE),dev) $(if $(ENDPOINT),--endpoint-url $(ENDPOINT)) $(QUEUES)

# Against AWS: make catalog-rebuild STAGE=prod INSTITUTIONS="inst-1 inst-2" (ENDPOINT=... for `make dev`)
catalog-rebuild: venv
	@test -n "$(INSTITUTIONS)" || { echo 'usage: make catalog-rebuild INSTITUTIONS="<id> ..." [STAGE=prod]' >&2; exit 2; }
	$(PY) -m infra.catalog_rebuild --stage $(or $(STAGE),dev) $(if $(ENDPOINT),--endpoint-url $(ENDPOINT)) $(INSTITUTIONS)

bench: venv
	$(PY) -m bench $(if $(ONLY),--only "$(ONLY)")

docs: venv
	$(PY) -m infra.docs

# ------------------------------------------------------------------ build

# Every function and the layer build with `BuildMethod: makefile`, so sam needs neither Docker
# nor a python3.13 interpreter. The layer's pip runs under the project's interpreter.
build: venv
	@echo "==> build: sam build (python3.13, arm64) into .aws-sam/build"
	@LAYER_PYTHON="$(abspath $(PY))" BYTECODE_PYTHON="$$($(PY) -m infra.build_layer --python-313)" \
		$(SAM) build --template template.yaml --build-dir .aws-sam/build

layer: venv
	@echo "==> build: shared layer into build/layer/python"
	@$(PY) -m infra.build_layer --out build/layer

# sam build runs `make --makefile <this file> build-<Name>Function` inside a copy of the function's
# CodeUri (the functions' `Metadata: ContextPath: .`). Functions have no requirements of their own
# (third-party code is in the layer), so their build is a copy of the folder without bytecode.
build-%Function:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is set by sam build" >&2; exit 1; }
	@tar -c --exclude=__pycache__ --exclude='*.pyc' . | tar -x -C "$(ARTIFACTS_DIR)"

clean:
	rm -rf .aws-sam build .bench .mypy_cache .ruff_cache .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -path ./$(SAM_VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
