# Two commands do all the set-up on a machine with Python 3.11:
#   make report   create .venv, install the toolkit, run the coverage report on data/sample
#   make test     create .venv, install the toolkit with its test tools, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= reports

.PHONY: report test install install-test lint clean

report: $(VENV)/.installed
	$(BIN)/toolkit report coverage --corpus data/sample --topics data/topics/example.yaml --out $(OUT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check toolkit tests benchmarks

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	# The pip that ships with Python 3.11.7 is too old for some of our dependencies' metadata.
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache .ruff_cache .hypothesis
