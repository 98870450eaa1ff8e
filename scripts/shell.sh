#!/usr/bin/env bash
# Talk to the assistant in the terminal: `rasa shell`, with the action server in the background
# (or the one `make run` already started). Uses port 5006 so it can run beside `make run`.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/logs
if ! curl -fs http://localhost:5055/health > /dev/null; then
  .venv/bin/rasa run actions --actions actions > var/logs/actions.log 2>&1 &
  actions_pid=$!
  trap 'kill $actions_pid 2>/dev/null || true' EXIT
fi
.venv/bin/rasa shell --model models/poi.tar.gz --endpoints endpoints.yml --port "${SHELL_PORT:-5006}" "$@"
