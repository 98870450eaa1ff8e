#!/usr/bin/env bash
# `make quick-model`: retrain in about 35 s after adding or changing examples, to try the edit.
# Rasa's incremental training (`rasa train --finetune`): it trains on from the current model, for a
# tenth of DIET's epochs, and the FAQ selector starts from its last weights. A full training takes
# about 70 s after such an edit; `make model` replaces the quick model with one (the evaluation
# figures, the bench and CI are for full trainings). When Rasa cannot train on (an intent or topic
# added or removed, a changed config) or there is no model yet, this falls back to `make model`.
set -euo pipefail
cd "$(dirname "$0")/.."
model=models/poi.tar.gz
quick_stamp=models/poi.quick
log=var/logs/quick-model.log
mkdir -p var/logs

if [ ! -f "$model" ]; then
  echo "No model to train on from yet: a full training (make model)."
  exec make --no-print-directory model
fi
# RASA_MAX_CACHE_SIZE=0: no training cache, so that nothing trained on from an older model ever
# stands in for a part of a full training.
if RASA_MAX_CACHE_SIZE=0 .venv/bin/rasa train --finetune "$model" --epoch-fraction 0.1 --force \
    --fixed-model-name poi --out models 2>&1 | tee "$log"; then
  touch "$quick_stamp"
elif grep -q "Cannot finetune" "$log"; then
  echo "Rasa cannot train on from the current model after this edit: a full training (make model)."
  exec make --no-print-directory model
else
  echo "The quick training failed (log: $log)." >&2
  exit 1
fi
