#!/usr/bin/env bash
# Talk to the assistant in the terminal: `rasa shell` with the action server in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/logs
.venv/bin/rasa run actions --actions actions > var/logs/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT
.venv/bin/rasa shell --model models/poi.tar.gz --endpoints endpoints.yml "$@"
