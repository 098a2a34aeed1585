# jiceng — the two commands: `make run` (serve the demo city) and `make test` (every test).
SHELL := /bin/bash
PY     := .venv/bin/python
JICENG := .venv/bin/jiceng
HOST   ?= 127.0.0.1:8000
SCALE  ?= full
export DJANGO_SETTINGS_MODULE := jiceng.settings

.PHONY: run test lint pytest bench install browser demo clean

install: .venv/.installed node_modules/.installed

.venv/.installed: requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium for the browser tests (never a downloaded browser) and a CJK font,
# or Chinese renders as boxes in screenshots.
browser:
	@command -v chromium >/dev/null && fc-list | grep -qi wqy || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }

# Migrate the embedded SQLite database under var/ and seed the demo city (skipped when done).
demo: install
	mkdir -p var
	$(JICENG) migrate --noinput
	$(JICENG) seed-demo

run: demo
	DEBUG=true $(JICENG) demo-logins
	DEBUG=true $(JICENG) runserver $(HOST)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

pytest: install browser
	DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest

test: lint pytest

bench: install
	$(PY) -m jiceng.bench --scale $(SCALE)

clean:
	rm -rf var/*.sqlite3* var/media var/static
