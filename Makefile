# Single entry point of the project: set-up, knowledge base, training, running, testing, evaluation.
# `make run` and `make test` work from a fresh clone: each creates what it needs on the way.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
BROWSER_VENV ?= .venv-browser
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
RESULTS ?= results
export MODELS_DIR ?= models
# Rasa's own defaults point at the variables below (endpoints.yml); embedded defaults for local use.
export HOST ?= 127.0.0.1
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT ?= 8080
export TRACKER_DB ?= var/tracker.db
# Conversations are kept this many days (`make purge`; `make run` purges at start and daily).
export RETENTION_DAYS ?= 30
# TensorFlow and Rasa's telemetry are noisy or phone home; neither is wanted on a school's server.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export RASA_TELEMETRY_ENABLED ?= false
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export PYTHONHASHSEED ?= 0

INSTALL_STAMP := $(VENV)/.installed
KB := knowledge/build/kb.json
# Everything the knowledge base and the NLU data generated from it depend on.
KB_SOURCES := $(wildcard knowledge/sources/*.md knowledge/sources/metiers/*.md) $(wildcard knowledge/*.yml) $(wildcard knowledge/*.py) \
	$(wildcard data/nlu/*.yml)
# The second stage of understanding searches this index of the knowledge base and the training examples.
INDEX := knowledge/build/retrieval.json
# The school's other formations, answered beside the fiches of knowledge/sources/: ONISEP fiches of
# knowledge/onisep/formations/ by sigle, code scolarité or FOR.<n>, or « demo » (knowledge/settings.yml):
# `make run FORMATIONS=demo`. Their knowledge base is var/school/kb.json; the NLU model stays the same
# (formation names are read by the actions, not by the classifier).
FORMATIONS ?=
SCHOOL_KB := var/school/kb.json
ifneq ($(strip $(FORMATIONS)),)
export KB_PATH := $(abspath $(SCHOOL_KB))
SCHOOL := school-kb
endif
# The domain is a folder: domain/domain.yml, plus the responses generated from the wording file.
DOMAIN := domain
RESPONSES := $(DOMAIN)/generated/responses.yml

.PHONY: help install kb validate train run shell interactive test test-unit test-nlu test-stories \
	test-e2e evaluate cross-validate lock clean browser-deps purge bench run-cluster test-cluster school-kb report \
	review-export

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALL_STAMP): requirements.txt constraints.txt scripts/find_python.sh
	@python310=$$(scripts/find_python.sh) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
		echo "Création de l'environnement virtuel $(VENV) avec $$python310"; \
		rm -rf $(VENV) && $$python310 -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip check
	@touch $@

install: $(INSTALL_STAMP) ## Create or update the virtualenv (Python 3.10, pinned packages, French spaCy model)

$(KB): $(INSTALL_STAMP) $(KB_SOURCES)
	$(PY) -m knowledge.build

$(RESPONSES): $(INSTALL_STAMP) actions/wording.yml actions/wording.py knowledge/topics.yml
	$(PY) -m actions.wording $@

$(INDEX): $(KB) actions/retrieval.py actions/french.py actions/french.yml actions/wording.yml knowledge/topics.yml $(wildcard data/nlu/*.yml)
	KB_PATH= $(PY) -m actions.retrieval $@

kb: $(KB) $(RESPONSES) $(INDEX) $(SCHOOL) ## Build the knowledge base, the NLU data, the domain responses and the search index

# Always rebuilt: FORMATIONS may change from one command to the next.
school-kb: $(KB)
	$(PY) -m knowledge.build --formations $(FORMATIONS) --out $(SCHOOL_KB)

validate: $(KB) $(RESPONSES) ## Check the training data and domain (warnings are errors)
	$(RASA) data validate --domain $(DOMAIN) --fail-on-warnings

# Rasa itself skips training when its fingerprint is unchanged; the stamp also skips loading Rasa.
MODEL_STAMP := $(MODELS_DIR)/.up-to-date
TRAINING_DATA := config.yml $(DOMAIN)/domain.yml $(shell find data -name '*.yml' -not -path 'data/nlu/generated/*')
# The pipeline's own components and the word lists they read (the phone spellings of actions/french.yml):
# Rasa's training cache knows their configuration, not their code or data, so a change to either retrains
# without the cache (--force).
COMPONENTS := $(wildcard components/*.py) actions/french.yml

# Rasa's own check of the data is `make validate` (warnings are errors there, and `make test` runs it):
# not repeated on every training.
$(MODEL_STAMP): $(KB) $(RESPONSES) $(TRAINING_DATA) $(COMPONENTS)
	$(RASA) train --skip-validation --domain $(DOMAIN) --out $(MODELS_DIR) $(if $(filter $(COMPONENTS),$?),--force)
	@touch $@

train: $(MODEL_STAMP) ## Train the model when data, domain, config or the pipeline's components changed

run: train $(INDEX) $(SCHOOL) ## Start the action server, the Rasa server and the web page (FORMATIONS=demo: 4 formations)
	$(PY) scripts/run.py

run-cluster: train $(INDEX) ## The cluster profile on this machine: PostgreSQL, Redis, 2 Rasa, 2 action servers, nginx
	$(PY) scripts/cluster.py

bench: train $(INDEX) ## Performance benchmark (not a test): results/bench/report.md and latency.png
	$(PY) scripts/bench.py

report: $(KB) $(RESPONSES) ## What students ask, from the tracker store: results/report/report.md and report.png
	$(PY) scripts/report.py --out $(RESULTS)/report

review-export: $(INSTALL_STAMP) ## Flagged answers (staff console) as NLU examples and test stories to check: results/review/
	$(PY) scripts/review_export.py --out $(RESULTS)/review

purge: $(INSTALL_STAMP) ## Delete the conversations older than RETENTION_DAYS (default 30) from the tracker store
	$(PY) scripts/purge.py

shell: train $(INDEX) $(SCHOOL) ## Chat with the assistant in the terminal (starts the action server too)
	$(PY) scripts/run.py --shell

interactive: train $(INDEX) ## Rasa interactive learning (starts the action server too)
	$(PY) scripts/run.py --interactive

test-unit: $(KB) $(RESPONSES) $(INDEX) ## Unit tests: knowledge base, actions, scripts (no model needed)
	$(PY) -m pytest -m "not model and not cluster" tests

# Bars. The second blind set carries the understanding issue's targets (accuracy 0.93, macro-F1 0.92; see
# the README), met since the phone spellings' reader (night of 7 to 8 December: 0.931 / 0.938; 0.926 / 0.934
# earlier that evening, 0.910 / 0.921 when the linear classifier was chosen; the same model at every
# training). The first blind set has judged training configurations in the past and is guarded at the level
# reached (0.969 / 0.971); the second has judged none. Each is measured once after each decision, never to
# choose data.
BLIND_MIN_ACCURACY ?= 0.95
BLIND_MIN_MACRO_F1 ?= 0.95
BLIND2_MIN_ACCURACY ?= 0.93
BLIND2_MIN_MACRO_F1 ?= 0.92
# The second development set (tests/nlu/dev-2), written on 7 December evening to judge training data, then
# used to choose 39 examples: 0.906 / 0.912 (0.880 / 0.887 before them).
DEV2_MIN_ACCURACY ?= 0.89
DEV2_MIN_MACRO_F1 ?= 0.90

test-nlu: train ## NLU on the two development sets and on the two blind sets; fails below their bars
	$(RASA) test nlu --domain $(DOMAIN) --model $(MODELS_DIR) --nlu tests/nlu/heldout.yml --out $(RESULTS)/nlu
	$(PY) scripts/check_nlu_report.py $(RESULTS)/nlu/intent_report.json --name "held-out (dev)" --min-macro-f1 0.95
	$(RASA) test nlu --domain $(DOMAIN) --model $(MODELS_DIR) --nlu tests/nlu/dev-2/dev.yml --out $(RESULTS)/nlu-dev-2
	$(PY) scripts/check_nlu_report.py $(RESULTS)/nlu-dev-2/intent_report.json --name "dev-2" --pairs 10 \
		--min-macro-f1 $(DEV2_MIN_MACRO_F1) --min-accuracy $(DEV2_MIN_ACCURACY)
	$(RASA) test nlu --domain $(DOMAIN) --model $(MODELS_DIR) --nlu tests/nlu/blind/blind.yml --out $(RESULTS)/nlu-blind
	$(PY) scripts/check_nlu_report.py $(RESULTS)/nlu-blind/intent_report.json --name "blind 1" --pairs 10 \
		--min-macro-f1 $(BLIND_MIN_MACRO_F1) --min-accuracy $(BLIND_MIN_ACCURACY)
	$(RASA) test nlu --domain $(DOMAIN) --model $(MODELS_DIR) --nlu tests/nlu/blind-2/blind.yml --out $(RESULTS)/nlu-blind-2
	$(PY) scripts/check_nlu_report.py $(RESULTS)/nlu-blind-2/intent_report.json --name "blind 2" --pairs 10 \
		--min-macro-f1 $(BLIND2_MIN_MACRO_F1) --min-accuracy $(BLIND2_MIN_ACCURACY)

test-stories: train ## Conversation tests (test stories), failing on any prediction error
	$(RASA) test core --model $(MODELS_DIR) --stories tests/stories --out $(RESULTS)/stories --fail-on-prediction-errors

browser-deps: ## Chromium (Debian package) and Playwright in their own virtualenv
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
		else echo "ERREUR : installez Chromium (sudo apt-get install chromium)"; exit 1; fi; }
	@[ -x $(BROWSER_VENV)/bin/python ] || python3 -m venv $(BROWSER_VENV)
	$(BROWSER_VENV)/bin/pip install --quiet -r requirements-browser.txt

test-e2e: train $(INDEX) browser-deps ## Tests against running servers: REST, restart, Ctrl-C, browser
	$(PY) -m pytest -m model tests

test-cluster: train $(INDEX) browser-deps ## The cluster profile under load through nginx, a replica killed; results/cluster/report.md
	$(PY) -m pytest -m cluster tests
	@cat $(RESULTS)/cluster/report.md

test: validate test-unit test-nlu test-stories test-e2e test-cluster ## Everything CI runs

evaluate: test-nlu cross-validate ## Held-out evaluation and cross-validation, reports in results/

cross-validate: $(KB) $(RESPONSES) ## 5-fold cross-validation of the NLU on the training data
	$(RASA) test nlu --domain $(DOMAIN) --nlu data/nlu --cross-validation --folds 5 --out $(RESULTS)/cross-validation

lock: ## Re-resolve the dependency set and freeze it in constraints.txt
	rm -rf .venv-lock && $$(scripts/find_python.sh) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet "pip==24.0" && .venv-lock/bin/pip install --quiet -r requirements.txt
	.venv-lock/bin/pip check
	{ echo "# Full resolved dependency set for requirements.txt on Python 3.10 (pip freeze; \`make lock\` regenerates it)."; \
	  .venv-lock/bin/pip freeze; } > constraints.txt
	rm -rf .venv-lock

clean: ## Remove models, results, built knowledge base and logs (keeps the virtualenvs)
	rm -rf $(MODELS_DIR) $(RESULTS) knowledge/build data/nlu/generated $(DOMAIN)/generated var logs
