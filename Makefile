# Two commands: `make run` and `make test` (see README). Everything else is a step they take.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint venv system-deps test-deps migrate

venv: $(BIN)/.requirements-installed

$(BIN)/.requirements-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

system-deps:
	@scripts/system-deps.sh

test-deps:
	@scripts/system-deps.sh test

migrate: venv
	$(BIN)/python manage.py migrate --noinput

run: venv system-deps migrate
	HOST=$(HOST) PORT=$(PORT) scripts/run.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: venv test-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)
