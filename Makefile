# Two entry points, each setting up everything it needs first (a virtualenv in .venv):
#   make demo   open JupyterLab on the tour (notebooks/00_tour.ipynb)
#   make test   ruff + the whole pytest suite (what CI's .ci/run calls)
# and:
#   make train  train microgpt as the article does (bundled names), then print 20 samples
#   make lite   the lessons as a static JupyterLite site in build/lite (Python in the browser)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo lab train test test-fast lint setup clean lite

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

# The static site: its own virtualenv (JupyterLite, pinned in deploy/lite/requirements.txt),
# Pyodide and viz.js from npm, wheels from PyPI; see deploy/lite/build.py.
LITE_ENV := build/lite-env
$(LITE_ENV)/bin/python:
	$(PYTHON) -m venv $(LITE_ENV)

lite: $(LITE_ENV)/bin/python
	$(LITE_ENV)/bin/python -m pip install --quiet -r deploy/lite/requirements.txt
	$(LITE_ENV)/bin/python deploy/lite/build.py --out build/lite

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m 'not slow and not browser'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
