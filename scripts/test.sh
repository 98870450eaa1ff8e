#!/usr/bin/env bash
# Run every test with pytest (Rasa's data validation and story tests included).
# Called by `make test`, after setup and training.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest tests -ra --durations=10 "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: the test suite is broken." >&2
  exit 1
fi
exit "$status"
