# jiceng — the two commands: `make run` (serve the demo city) and `make test` (every test).
SHELL := /bin/bash
PY     := .venv/bin/python
JICENG := .venv/bin/jiceng
HOST   ?= 127.0.0.1:8000
SCALE  ?= full
export DJANGO_SETTINGS_MODULE := jiceng.settings

.PHONY: run test lint pytest bench install browser redis demo clean screenshots wrk

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

# Redis on 127.0.0.1:6379 for the Celery job tests (they start their own worker); started
# if stopped, Debian's redis-server installed if missing.
redis:
	@redis-cli ping >/dev/null 2>&1 || { \
	  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || { \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for _ in $$(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done; \
	  redis-cli ping >/dev/null; }

# Migrate the embedded SQLite database under var/ and seed the demo city (skipped when done).
demo: install
	mkdir -p var
	$(JICENG) migrate --noinput
	$(JICENG) seed-demo

# The month of demo cases is made in the background (a few minutes, through the real
# actions; see var/demo-cases.log), then the deadline sweep runs every minute (no Redis,
# so no celery beat in the demo). Both stop when the server does.
run: demo
	DEBUG=true $(JICENG) demo-logins
	@echo "演示事件正在后台生成（约 4 分钟，进度见 var/demo-cases.log），刷新页面即可看到新事件。"
	(DEBUG=true $(JICENG) seed-demo-cases > var/demo-cases.log 2>&1; exec env DEBUG=true $(JICENG) sweep --loop > /dev/null) & trap "pkill -P $$! 2>/dev/null; kill $$! 2>/dev/null" EXIT; DEBUG=true $(JICENG) runserver $(HOST)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

pytest: install browser redis
	DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest

test: lint pytest

# Debian's wrk, the load generator of the HTTP benchmark (jiceng/bench/http.py, docs/load.md).
wrk:
	@command -v wrk >/dev/null || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }

bench: install wrk
	$(PY) -m jiceng.bench --scale $(SCALE)

# Each role's main page of the demo city as docs/screenshots/*.png (the README shows them):
# builds whatever part of the demo is missing (the month of cases takes a few minutes the
# first time), then signs in as each demo account in Debian's chromium. Not part of `test`.
screenshots: demo browser
	$(JICENG) seed-demo-cases
	$(PY) -m jiceng.web.screenshots

clean:
	rm -rf var/*.sqlite3* var/media var/static
