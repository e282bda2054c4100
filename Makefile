# Two entry points, each setting up everything it needs first (a virtualenv in .venv):
#   make demo   open JupyterLab on the tour (notebooks/00_tour.ipynb)
#   make test   ruff + the whole pytest suite (what CI's .ci/run calls)
# and:
#   make train  train microgpt as the article does (bundled names), then print 20 samples
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo lab train test test-fast lint setup clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

setup: $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'

# (JupyterLab refuses to run as root unless told: root is common in containers)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The printed address opens the tour itself (JupyterLab's /lab/tree/…), not the Launcher.
demo: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --LabApp.default_url=/lab/tree/notebooks/00_tour.ipynb

lab: demo

train: setup
	$(BIN)/microgpt train

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m 'not slow and not browser'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
