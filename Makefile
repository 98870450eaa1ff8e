# The two commands:  `make run`  sets up and starts the assistant;
#                    `make test` sets up and runs every test (CI runs this).
# Everything below is made on demand and only when its inputs changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
PY    := $(VENV)/bin/python
RASA  := $(VENV)/bin/rasa
MODEL := models/poi.tar.gz
# Left by `make quick-model`: the model was trained on from the last one, not from scratch.
QUICK := models/poi.quick
SPACY := build/spacy/.built
WIDGET := web/vendor/webchat.js
WEBCHAT_VERSION := 1.0.1
WEBCHAT_SHA256  := cd2a8ee5211df95c626fc78bcf9d7d3a50368eacd43c7154476d29e519d42685
# For the widget's browser tests: axe-core (accessibility checker) and Debian's Chromium.
AXE := build/axe-core/axe.min.js
AXE_VERSION := 4.14.1
AXE_SHA256  := e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
CHROMIUM := /usr/bin/chromium
TRAINING_DATA := $(shell find data -name '*.yml')

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa loads the project's components, response generator and actions by module path.
export PYTHONPATH := $(CURDIR)

# Python 3.10 (Rasa 3.6 runs on 3.8-3.10): pyenv's, as .python-version asks, else any on PATH.
PYTHON310 := $(shell pyenv which python3.10 2>/dev/null || command -v python3.10)

.PHONY: help setup model quick-model run shell actions test validate nlu-eval eval eval-public bench forget prune scale-out scale-out-stop clean

help:
	@echo "make run     set up, train if needed, start action server + Rasa server + widget page"
	@echo "make test    set up, train if needed, run all tests"
	@echo "make shell   talk to the assistant in the terminal (rasa shell + action server)"
	@echo "make validate  check content edits (Rasa + our checks), refresh docs/coverage.md"
	@echo "make model   retrain after editing data/, domain.yml or config.yml"
	@echo "make quick-model  retrain in about 35 s after adding examples, to try them (make model: full training)"
	@echo "make nlu-eval  cross-validate the NLU (intent and FAQ topic F1)"
	@echo "make eval [BANK=file.jsonl]  what the assistant answers on a question bank (recall/precision per label)"
	@echo "make eval-public  the guardrails on the public sets in ../shared/eval (about 1 min; docs/public-eval.md)"
	@echo "make bench   speed and memory: the project's config against Rasa's default (about 15 minutes)"
	@echo "make scale-out  PostgreSQL + Redis + 2 Rasa servers + nginx on loopback (scale-out-stop stops it)"
	@echo "make forget SENDER=id  delete one stored conversation"
	@echo "make prune   delete conversations idle for more than CONVERSATION_RETENTION_DAYS (default 30)"
	@echo "make clean   remove everything made (virtual environment, models, conversations)"

setup: $(VENV)/.installed $(SPACY) $(WIDGET)

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found: install it (pyenv install 3.10)"; exit 1; }
	$(PYTHON310) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==24.0
	$(VENV)/bin/pip install --quiet --no-deps -r requirements.txt
	touch $@

# The project's spaCy pipeline. Rasa's training cache cannot see changes inside that
# folder, so a rebuild clears the cache (the next training is a full one).
$(SPACY): $(VENV)/.installed assistant/spacy_pipeline.py assistant/spacy_terms.yml assistant/spacy_translations.yml
	$(PY) -m assistant.spacy_pipeline
	rm -rf .rasa/cache
	touch $@

# The widget bundle, served from this project (no CDN), checked against a known checksum.
# One change to it: its Google Fonts import is dropped (no third-party requests; poi-chat.css sets the font).
$(WIDGET):
	mkdir -p build web/vendor
	cd build && npm pack --silent rasa-webchat@$(WEBCHAT_VERSION)
	echo "$(WEBCHAT_SHA256)  build/rasa-webchat-$(WEBCHAT_VERSION).tgz" | sha256sum --check --quiet
	tar -xOzf build/rasa-webchat-$(WEBCHAT_VERSION).tgz package/lib/index.js \
	  | sed 's#@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700\&display=swap);##g' > $@
	! grep -q fonts.googleapis.com $@

$(AXE):
	mkdir -p build/axe-core
	cd build && npm pack --silent axe-core@$(AXE_VERSION)
	echo "$(AXE_SHA256)  build/axe-core-$(AXE_VERSION).tgz" | sha256sum --check --quiet
	tar -xOzf build/axe-core-$(AXE_VERSION).tgz package/axe.min.js > $@

$(CHROMIUM):
	./scripts/install-chromium.sh

# Rasa's training cache knows a component by its name and settings, not its code: after editing
# assistant/linear_selector.py, sentence_features.py, numpy_diet.py or hashed_tokens.py, train with
# `rasa train --force`.
$(MODEL): $(SPACY) config.yml domain.yml $(TRAINING_DATA) assistant/guardrails.py assistant/linear_selector.py \
		assistant/sentence_features.py assistant/numpy_diet.py assistant/hashed_tokens.py
	$(RASA) train --fixed-model-name poi --out models
	rm -f $(QUICK)
	touch $@

# A full training. A quick model (below) is replaced even when no file changed since.
model:
	@if [ -f $(QUICK) ]; then rm -f $(MODEL) $(QUICK); fi
	@$(MAKE) --no-print-directory $(MODEL)

# Trains on from the current model (Rasa's incremental training) for trying an edit; `make run` and
# `make shell` use it. The evaluation, the bench and the tests use a full training (`model`).
quick-model: setup
	./scripts/quick-model.sh

run: setup $(MODEL)
	./scripts/run.sh

actions: $(VENV)/.installed
	$(RASA) run actions --actions actions

shell: setup $(MODEL)
	./scripts/shell.sh

# Content team: run before retraining. Rasa's checks, then ours (assistant/content_check.py),
# then the coverage report (docs/coverage.md) is refreshed.
validate: setup
	$(RASA) data validate --fail-on-warnings
	$(PY) -m assistant.content_check
	$(PY) -m assistant.coverage_report

# NLU quality: 5-fold cross-validation of the intent classifier and the FAQ response selector
# (five trainings, each on four fifths of the examples; about 28 minutes with 5,531 examples;
# reports in results/nlu-cv/).
nlu-eval: setup
	$(RASA) test nlu --nlu data --config config.yml --cross-validation --folds 5 --out results/nlu-cv
	$(PY) -c "import json; [print(f, 'macro F1', round(json.load(open('results/nlu-cv/' + f))['macro avg']['f1-score'], 3), 'weighted F1', round(json.load(open('results/nlu-cv/' + f))['weighted avg']['f1-score'], 3)) for f in ('intent_report.json', 'response_selection_report.json')]"

# Guardrails and answers on a JSONL question bank (default: the held-out bank in tests/).
BANK ?= tests/question_bank.jsonl
eval: setup model
	$(PY) -m assistant.evaluate $(BANK) --json results/eval.json

# CLINC150, MedQuAD and consumer health questions (shared/eval; evaluation only, never training).
EVAL_DIR ?= ../shared/eval
eval-public: setup model
	$(PY) -m assistant.evaluate_public --eval-dir $(EVAL_DIR) --markdown docs/public-eval.md --json results/public-eval.json

test: setup model $(AXE) $(CHROMIUM)
	./scripts/scale-out.sh install  # PostgreSQL, Redis and nginx, for the scale-out and lock store tests
	./scripts/test.sh

# Speed and memory, the project's config against Rasa's default config (trained one epoch per
# model: same serving cost), on the same data and machine, and the scale-out stack (about 15 minutes;
# writes bench/results.md and bench/results.json). Stock trained fully and run on the question bank
# (over an hour): python -m bench.bench --full-stock --out bench/results-full-stock
bench: setup model
	$(PY) -m bench.bench

# Several Rasa servers behind nginx, with PostgreSQL and Redis, on this machine (see the README).
scale-out: setup $(MODEL)
	./scripts/scale-out.sh start

scale-out-stop:
	./scripts/scale-out.sh stop

# Stored conversations (the tracker store in endpoints.yml): delete one, or those idle for more
# than CONVERSATION_RETENTION_DAYS (default 30, in assistant/privacy.py).
forget: $(VENV)/.installed
	@test -n "$(SENDER)" || { echo "usage: make forget SENDER=<conversation id>"; exit 1; }
	$(PY) -m assistant.privacy forget "$(SENDER)"

prune: $(VENV)/.installed
	$(PY) -m assistant.privacy prune

clean:
	rm -rf $(VENV) build models var .rasa results web/vendor tests/artifacts
