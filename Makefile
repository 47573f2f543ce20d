# wangge: two commands from a fresh clone.
#   make demo   install everything, load the demo district, serve on http://127.0.0.1:$(PORT)
#   make test   the whole test suite, browser tests included
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
HOST ?= 127.0.0.1

# Django 6.1 needs Python 3.12: take the first one found.
PYTHON312 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12))
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON := $(PYTHON312)
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help demo test install python node assets messages chromium lint typecheck check-migrations serve clean

help:
	@echo "make demo   - install, migrate, load the demo district and serve on http://$(HOST):$(PORT)"
	@echo "make test   - run every test (unit, API, pages, browser)"

$(UV):
	@test -n "$(PYTHON312)" || { echo "需要 Python 3.12（Django 6.1 的要求）：请安装 python3.12 后重试 / Python 3.12 is required" >&2; exit 1; }
	$(PYTHON312) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv

python: $(UV)
	$(UV) sync --frozen --quiet

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error

node: node_modules/.package-lock.json

assets: node
	npm run --silent build

messages: python
	$(BIN)/wangge compilemessages --ignore=.venv --ignore=node_modules -v 0

install: python node assets messages

demo: install
	$(BIN)/wangge migrate --noinput -v 0
	$(BIN)/wangge seed --scale demo --if-empty
	$(BIN)/wangge collectstatic --noinput -v 0
	$(BIN)/wangge demo_accounts --host $(HOST) --port $(PORT)
	@# The task worker (imports, reports…) and the periodic jobs run beside the web server
	@# and stop with it.
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/wangge db_worker & \
	$(BIN)/wangge scheduler & \
	$(BIN)/gunicorn wangge.config.wsgi:application --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - --timeout 120

chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then \
	  echo "Installing Debian's chromium and CJK fonts for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

lint: python
	$(BIN)/ruff check wangge
	$(BIN)/ruff format --check wangge

typecheck: python
	$(BIN)/mypy wangge

check-migrations: python
	$(BIN)/wangge makemigrations --check --dry-run -v 1

test: install chromium lint typecheck check-migrations
	$(BIN)/pytest -n 2 --dist loadgroup -q

clean:
	rm -rf $(VENV) $(TOOLS) node_modules wangge/web/static_build var/static
