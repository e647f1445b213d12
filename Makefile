# Two entry points: `make run` (the application with demo data) and `make test`.
# Both call `make setup`, which is quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := webapp/static/vendor
# The pages' own scripts, bundled with bpmn-js and the properties panel by esbuild (no CDN).
BUILD := webapp/static/build
SCRIPTS := webapp/static/js/src
SCRIPT_SOURCES := $(shell find $(SCRIPTS) -type f)
ESBUILD := node_modules/.bin/esbuild --bundle --minify --format=iife --target=es2020 --log-level=warning \
	--jsx=automatic --jsx-import-source=@bpmn-io/properties-panel/preact --legal-comments=linked
TRANSLATIONS := webapp/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
# N_ marks engine texts, _l (lazy_gettext) the web layer's texts read at render time.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	--add-comments=TRANSLATORS: --project="iGOT MicroMasters" --copyright-holder="DoPT, Training Division"

.PHONY: setup run test lint bench bench-scale bench-deadline clean i18n fuzz

setup: $(VENV)/.installed $(VENDOR)/.installed $(BUILD)/.built $(CATALOGUES:.po=.mo)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)/bpmn-js $(VENDOR)/axe-core $(VENDOR)/chart.js
	cp -r node_modules/bpmn-js/dist/. $(VENDOR)/bpmn-js/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js/
	touch $@

# The editor (modeler, properties panel, checks), the version comparison (bpmn-js-differ) and
# the instance page (the viewer with each element's state); each also writes its CSS.
$(BUILD)/.built: $(VENDOR)/.installed $(SCRIPT_SOURCES)
	$(ESBUILD) --outdir=$(BUILD) editor=$(SCRIPTS)/editor/index.js compare=$(SCRIPTS)/compare.js \
		instance=$(SCRIPTS)/instance.js
	touch $@

# The compiled catalogues (.mo) are built here, never committed.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l $* -D messages

# Extract every marked text (engine, web layer, templates, BPMN names) and update the
# catalogues; new and changed texts then need a translation (tests fail until they have one).
i18n: setup
	$(EXTRACT) -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -D messages --ignore-obsolete
	rm $(TRANSLATIONS)/messages.pot

# The web application, the timer worker, the mail sender and a local SMTP sink (mail lands in
# instance/mail/new), together under honcho (Procfile); Ctrl-C stops them all.
run: setup
	$(BIN)/igot demo
	PATH="$(CURDIR)/$(BIN):$$PATH" IGOT_SMTP_HOST=127.0.0.1 IGOT_SMTP_PORT=8025 $(BIN)/honcho -f Procfile start

lint: setup
	$(BIN)/ruff check engine webapp tests benchmarks
	$(BIN)/ruff format --check engine webapp tests benchmarks
	$(BIN)/mypy engine

test: setup lint
	scripts/ensure-chromium
	$(BIN)/python -m pytest -q

# The API fuzzed from its OpenAPI document with many more examples than `make test` runs
# (every operation, every role, SQLite, and PostgreSQL when IGOT_TEST_DATABASE_URL is set).
FUZZ_EXAMPLES ?= 25
fuzz: setup
	IGOT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -s tests/api/test_fuzz.py tests/api/test_boundary.py -k "fuzz or property"

# Through HTTP under gunicorn on a PostgreSQL database the benchmark makes and drops (SQLite
# when none answers), beside the bare engine step; then deploy and the console's scripts.
bench: setup
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.deploy
	$(BIN)/python -m benchmarks.console

# 1,000,000 history rows, 100,000 open tasks (several minutes; PostgreSQL).
bench-scale: setup
	$(BIN)/python -m benchmarks.scale

# 50 clients register, sign in and apply (IGOT_LOAD_APPLICATIONS, default 10,000), 2 then 4 workers.
bench-deadline: setup
	$(BIN)/python -m benchmarks.deadline

clean:
	rm -rf $(VENV) node_modules $(VENDOR) $(BUILD) instance $(TRANSLATIONS)/*/LC_MESSAGES/messages.mo
