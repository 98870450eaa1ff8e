#!/usr/bin/env bash
# Start the action server, the Rasa server (REST + socket.io) and the widget page; stop all
# three on Ctrl-C. Called by `make run` (which sets up and trains first).
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_PORT=${RASA_PORT:-5005}
ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8000}
# Web pages (origins) allowed to talk to the Rasa server from a browser: the demo page by default.
# Used by `--cors` (HTTP) and by the socket.io channel (credentials.yml).
export CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:$WEB_PORT http://127.0.0.1:$WEB_PORT"}

mkdir -p var/logs
# Retention: delete conversations idle for more than CONVERSATION_RETENTION_DAYS (see the README).
.venv/bin/python -m assistant.privacy prune 2> var/logs/prune.log | tail -1 || echo "Pruning failed; see var/logs/prune.log"
pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "Stopped."; }
trap stop EXIT INT TERM

.venv/bin/rasa run actions --actions actions --port "$ACTIONS_PORT" > var/logs/actions.log 2>&1 &
pids+=($!)

# The HTTP API (conversations, model) stays off unless a token is set.
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
# shellcheck disable=SC2086
.venv/bin/rasa run --model models/poi.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --cors $CORS_ORIGINS "${api_args[@]}" > var/logs/rasa.log 2>&1 &
pids+=($!)

.venv/bin/python -m http.server "$WEB_PORT" --bind 127.0.0.1 --directory web > var/logs/web.log 2>&1 &
pids+=($!)

echo "Starting (the Rasa server takes about 20 seconds to load the model) ..."
for _ in $(seq 1 120); do
  if curl -fs "http://localhost:$RASA_PORT/" > /dev/null; then break; fi
  if ! kill -0 "${pids[1]}" 2>/dev/null; then echo "The Rasa server stopped; see var/logs/rasa.log"; exit 1; fi
  sleep 1
done
curl -fs "http://localhost:$RASA_PORT/" > /dev/null || { echo "The Rasa server did not start; see var/logs/rasa.log"; exit 1; }

cat <<INFO

  The assistant is running.
    Chat widget page:  http://localhost:$WEB_PORT/
    REST channel:      POST http://localhost:$RASA_PORT/webhooks/rest/webhook  {"sender": "me", "message": "What is POI?"}
    socket.io channel: http://localhost:$RASA_PORT/socket.io/
    Logs:              var/logs/   Conversations: var/conversations.db
  Press Ctrl-C to stop.
INFO
wait -n "${pids[@]}"
echo "A service stopped unexpectedly; see var/logs/."
