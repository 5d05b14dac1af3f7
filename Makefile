# The two set-up commands in the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: demo test test-sqlite test-postgres serve bench

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/installed
	YOURSAY_MODE=demo $(VENV)/bin/yoursay demo

test: test-sqlite test-postgres

test-sqlite: $(VENV)/installed
	$(VENV)/bin/pytest

test-postgres: $(VENV)/installed
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }
	YOURSAY_TEST_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest

serve: $(VENV)/installed
	YOURSAY_MODE=dev $(VENV)/bin/yoursay serve

bench: $(VENV)/installed
	$(VENV)/bin/python benchmarks/webhook_load.py
