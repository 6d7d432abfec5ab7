# CityLearn developer tasks (GNU make).
#
#   make run             install deps, start private PostgreSQL/Redis, migrate, seed, serve
#   make test            run the test suite (PYTEST_ARGS="-k search -x" to narrow it down)
#   make lint            ruff + mypy
#   make bench           search benchmark
#   make bench-federation  partner-feed harvest benchmark
#   make bench-badges    bulk badge awarding benchmark (API + outbox worker)
#   make bench-stacks    unlock engine benchmark (10,000 rules, 1,000,000 awards)
#   make services-stop   stop the private PostgreSQL/Redis servers
#   make clean           stop them and delete their data (var/)

PYTHON ?= python3
VENV ?= .venv
PYTEST_ARGS ?=

VPY := $(VENV)/bin/python
CITYLEARN := $(VENV)/bin/citylearn
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench bench-federation bench-badges bench-stacks services-stop clean

venv: $(STAMP)

# Debian's python3 lacks ensurepip until python3-venv is installed.
$(VPY):
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); PYTHON=$(PYTHON) bash scripts/system-deps.sh --venv && $(PYTHON) -m venv $(VENV); }

# Reinstall only when pyproject.toml changed since the last successful install.
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install -e '.[dev]'
	touch $@

run: venv
	bash scripts/system-deps.sh
	$(CITYLEARN) run

# Servers that were already running (a developer's) stay up; ones started here are stopped.
test: venv
	bash scripts/system-deps.sh --browser
	@running=$$($(CITYLEARN) services status | grep -c '^[a-z]* *running' || true); \
	$(CITYLEARN) services start && $(VPY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ "$$running" = 0 ]; then $(CITYLEARN) services stop; fi; \
	exit $$status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy server schema workers partners web

bench: venv
	$(VPY) benchmarks/search_bench.py

bench-federation: venv
	$(VPY) benchmarks/federation_bench.py

bench-badges: venv
	$(VPY) benchmarks/badges_bench.py

bench-stacks: venv
	$(VPY) benchmarks/stacks_bench.py

services-stop:
	$(CITYLEARN) services stop

clean:
	if [ -x $(CITYLEARN) ]; then $(CITYLEARN) services stop; fi
	rm -rf var
