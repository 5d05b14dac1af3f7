# The two set-up commands in the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
NPM ?= npm
NHSUK := node_modules/nhsuk-frontend/dist/nhsuk
ASSETS := admin/static/nhsuk/.installed

.PHONY: demo test test-sqlite test-postgres serve bench frontend

# Quiet on a first run: one line to say what is happening, the details in .venv/install.log
# (shown only if something fails).
PIP := $(VENV)/bin/pip --disable-pip-version-check --no-input
$(VENV)/installed: pyproject.toml
	@echo "Installing YourSay and its libraries into $(VENV): about a minute, once."
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@$(PIP) install --progress-bar off -e ".[test]" >> $(VENV)/install.log 2>&1 || { tail -40 $(VENV)/install.log; exit 1; }
	@echo "Installed (the details are in $(VENV)/install.log)."
	@touch $@

# The NHS.UK design system (and axe-core for the accessibility tests), from the npm registry,
# copied into admin/static/nhsuk so the admin serves it itself: nothing from a CDN.
node_modules/.package-lock.json: package.json package-lock.json
	@echo "Fetching the NHS.UK design system for the admin pages."
	@$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS): node_modules/.package-lock.json
	@rm -rf admin/static/nhsuk
	@mkdir -p admin/static/nhsuk
	@cp $(NHSUK)/nhsuk-frontend.min.css $(NHSUK)/nhsuk-frontend.min.js admin/static/nhsuk/
	@cp -R $(NHSUK)/assets admin/static/nhsuk/assets
	@touch $@

frontend: $(ASSETS)

demo: $(VENV)/installed $(ASSETS)
	YOURSAY_MODE=demo $(VENV)/bin/yoursay demo

test: test-sqlite test-postgres

test-sqlite: $(VENV)/installed $(ASSETS)
	$(VENV)/bin/pytest

test-postgres: $(VENV)/installed $(ASSETS)
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
	YOURSAY_TEST_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest

serve: $(VENV)/installed $(ASSETS)
	YOURSAY_MODE=dev $(VENV)/bin/yoursay serve

bench: $(VENV)/installed
	$(VENV)/bin/python benchmarks/webhook_load.py
