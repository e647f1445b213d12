# Two entry points: `make run` (the application with demo data) and `make test`.
# Both call `make setup`, which is quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := webapp/static/vendor
TRANSLATIONS := webapp/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
# N_ marks engine texts, _l (lazy_gettext) the web layer's texts read at render time.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	--add-comments=TRANSLATORS: --project="iGOT MicroMasters" --copyright-holder="DoPT, Training Division"

.PHONY: setup run test lint bench clean i18n

setup: $(VENV)/.installed $(VENDOR)/.installed $(CATALOGUES:.po=.mo)

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

# The compiled catalogues (.mo) are built here, never committed.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS) -l $* -D messages

# Extract every marked text (engine, web layer, templates, BPMN names) and update the
# catalogues; new and changed texts then need a translation (tests fail until they have one).
i18n: setup
	$(EXTRACT) -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -D messages --ignore-obsolete
	rm $(TRANSLATIONS)/messages.pot

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
	rm -rf $(VENV) node_modules $(VENDOR) instance $(TRANSLATIONS)/*/LC_MESSAGES/messages.mo
