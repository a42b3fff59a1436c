# Two commands do all set-up on a fresh machine:
#   make demo   JupyterLab on 127.0.0.1:8888 with the platform and demo data (SQLite, local files)
#   make test   installs everything, then lint (ruff, mypy, eslint, prettier) and the whole suite
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null)
STAMP := $(VENV)/.installed-stamp
# package.json scripts call jlpm, which the venv's jupyterlab provides
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: install demo test lint pytest chromium clean bench

$(STAMP): pyproject.toml labextension/package.json labextension/yarn.lock
	@test -n "$(UV)" || python3 -m pip install -q 'uv>=0.5'
	uv venv -q --allow-existing $(VENV) -p python3.11
	uv pip install -q --compile-bytecode -p $(PY) -e '.[test]'
	@touch $@

install: $(STAMP)

demo: install
	$(VENV)/bin/openi-lab demo --no-browser

chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	cd labextension && { test -d node_modules || jlpm install --immutable; } && jlpm lint:check

# server and kernel tests on two workers (each test has its own server and database); the
# browser tests one at a time (Chromium and JupyterLab are heavy enough on two cores)
pytest: install chromium
	$(PY) -m pytest -n 2 tests/server tests/kernel
	$(PY) -m pytest tests/ui

test: lint pytest

bench: install
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) labextension/node_modules labextension/lib openi_lab/labextension
