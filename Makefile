# Every command in the README is a target here.
#
#   make demo    run the whole pipeline on a local moto server (no AWS account)
#   make test    every check: Python tests, lint, terraform fmt/validate/test, checkov
#   make bench   burst benchmark against a simulated RDS with the five-export ceiling

SHELL        := bash
.SHELLFLAGS  := -eu -o pipefail -c
PYTHON       ?= python3
VENV         ?= .venv
PY           := $(VENV)/bin/python
TERRAFORM    ?= terraform
EXAMPLES     := $(wildcard examples/*)

.PHONY: help demo test bench python-test lint tf-fmt tf-validate tf-test checkov fmt clean

help:
	@sed -n 's/^#   //p' Makefile

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

demo: $(VENV)/.installed
	$(PY) -m demo

bench: $(VENV)/.installed
	$(PY) -m bench $(BENCH_ARGS)

test: lint python-test tf-fmt tf-validate tf-test checkov

python-test: $(VENV)/.installed
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

tf-fmt:
	$(TERRAFORM) fmt -check -recursive

tf-validate:
	$(TERRAFORM) init -backend=false -input=false >/dev/null
	$(TERRAFORM) validate
	for dir in $(EXAMPLES); do \
	  echo "validate $$dir"; \
	  $(TERRAFORM) -chdir=$$dir init -backend=false -input=false >/dev/null; \
	  $(TERRAFORM) -chdir=$$dir validate; \
	done

tf-test:
	$(TERRAFORM) init -backend=false -input=false >/dev/null
	$(TERRAFORM) test

checkov: $(VENV)/.installed
	$(VENV)/bin/checkov --directory . --framework terraform --config-file .checkov.yaml --quiet --compact

fmt: $(VENV)/.installed
	$(TERRAFORM) fmt -recursive
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .terraform .terraform.lock.hcl examples/*/.terraform examples/*/.terraform.lock.hcl .pytest_cache .ruff_cache .hypothesis
