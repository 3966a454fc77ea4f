# The maintainer's entry points. `make` bootstraps .venv by itself, then runs
# the whole pipeline on the shipped articles; `make test` runs the test suite.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
RUN    := $(PY) -m pipeline

.DEFAULT_GOAL := all
.PHONY: all setup fetch normalize extract update check build serve pseudo stats glossary qa-eval bench test fuzz clean help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The package's bytecode, written even where PYTHONDONTWRITEBYTECODE is set: otherwise every run
# compiles the pipeline again (a tenth of a second, half the start-up of a rerun).
BYTECODE := $(VENV)/.bytecode
$(BYTECODE): $(STAMP) $(wildcard pipeline/*.py pipeline/*/*.py)
	$(PY) -m compileall -q pipeline
	touch $(BYTECODE)

setup: $(STAMP) ## create .venv and install the project with its dev tools

all: $(BYTECODE) ## normalize, extract, update, check and build everything
	$(RUN) all

fetch: $(BYTECODE) ## download the articles of source/sources.toml (network; not part of `make`)
	$(RUN) fetch

normalize: $(BYTECODE) ## source/<doc>.html -> build/clean/<doc>.html
	$(RUN) normalize

extract: normalize ## build/clean -> locales/templates/<doc>.pot
	$(RUN) extract

update: extract ## templates -> locales/<lang>/LC_MESSAGES/<doc>.po (keeps translations)
	$(RUN) update

check: update ## QA the catalogs; fails below a locale's bar
	$(RUN) check

build: update ## assemble build/site/<lang>/<doc>.html and the index
	$(RUN) build

serve: build ## preview build/site on http://127.0.0.1:8000/
	$(RUN) serve

pseudo: extract ## pseudo-localized catalogs and pages (en_XA, ar_XB) in build/pseudo/
	$(RUN) pseudo

stats: $(BYTECODE) ## translated / fuzzy / untranslated per locale and document
	$(RUN) stats

glossary: $(BYTECODE) ## glossary terms in the sources, and frequent phrases it lacks
	$(RUN) glossary

qa-eval: $(BYTECODE) ## precision and recall of each QA check on the labelled set in tests/qa_eval
	$(RUN) qa-eval

bench: $(BYTECODE) ## benchmark on N synthetic articles against Translate Toolkit and msgmerge (N=1000, REPEAT=1)
	$(RUN) bench --n $${N:-1000} --repeat $${REPEAT:-1}

test: $(STAMP) ## run the test suite
	$(PY) -m pytest

fuzz: $(STAMP) ## long fuzz run of the .po, HTML, dump and glossary readers (FUZZ_EXAMPLES=20000)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-20000} $(PY) -m pytest -q -p no:randomly tests/test_fuzz.py

clean: ## remove generated files (build/), keep .venv
	rm -rf build
