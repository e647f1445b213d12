# Two entry points: `make run` (the application with demo data) and `make test`.
# Both call `make setup`, which is quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := webapp/static/vendor

.PHONY: setup run test lint bench clean

setup: $(VENV)/.installed $(VENDOR)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/axe-core
	cp -r node_modules/bpmn-js/dist/. $(VENDOR)/bpmn-js/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	touch $@

run: setup
	$(BIN)/igot demo
	$(BIN)/igot serve --host 127.0.0.1 --port 5000

lint: setup
	$(BIN)/ruff check engine webapp tests benchmarks
	$(BIN)/ruff format --check engine webapp tests benchmarks
	$(BIN)/mypy engine

test: setup lint
	scripts/ensure-chromium
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.deploy

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance
