#!/usr/bin/env bash
# The assistant scaled out on this machine, on loopback: PostgreSQL (conversations), Redis (locks),
# several Rasa servers, one action server, and nginx in front of the Rasa servers. Installs the three
# services from Debian's packages when they are missing. Used by `make scale-out` and the tests.
#
#   scripts/scale-out.sh start              start everything; returns when every part answers
#   scripts/scale-out.sh stop               stop everything (data stays in $SCALE_DIR)
#   scripts/scale-out.sh stop-service NAME  stop one part: postgres, redis, actions, nginx, rasa-<port>
#   scripts/scale-out.sh start-service NAME start it again
#   scripts/scale-out.sh install            install the missing services only (make test does this)
#
# Settings (environment): SCALE_DIR (var/scale; as root, the postgres user must be able to reach it), RASA_PORTS ("5201 5202"), NGINX_PORT (8080),
# ACTIONS_PORT (5255), PG_PORT (55432), REDIS_PORT (56379), SANIC_WORKERS (1), CORS_ORIGINS,
# RASA_API_TOKEN (the HTTP API is on only when set). Passwords: DB_PASSWORD and REDIS_PASSWORD from
# the environment, else made once and kept in $SCALE_DIR/secrets.env (mode 600).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=$(realpath -m "${SCALE_DIR:-var/scale}")
RASA_PORTS=${RASA_PORTS:-"5201 5202"}
NGINX_PORT=${NGINX_PORT:-8080}
export ACTIONS_HOST=127.0.0.1 ACTIONS_PORT=${ACTIONS_PORT:-5255}
export DB_HOST=127.0.0.1 DB_PORT=${PG_PORT:-55432}
export REDIS_HOST=127.0.0.1 REDIS_PORT=${REDIS_PORT:-56379}
export CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:$NGINX_PORT http://127.0.0.1:$NGINX_PORT"}
# A conversation's lock outlives a crashed server by this many seconds (Rasa's default is 60; a turn
# takes well under a second), so its next message waits 10 s at most.
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-10}
export PYTHONPATH=$ROOT RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
mkdir -p "$DIR"

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

install_missing() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
  command -v redis-server > /dev/null || missing+=(redis-server)
  [ -x /usr/sbin/nginx ] || command -v nginx > /dev/null || missing+=(nginx)
  [ ${#missing[@]} -eq 0 ] && return
  echo "Installing from Debian's packages: ${missing[*]}"
  local sudo=(); [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

load_secrets() {
  if [ ! -f "$DIR/secrets.env" ]; then
    umask 077
    printf 'DB_PASSWORD=%s\nREDIS_PASSWORD=%s\n' "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" \
      "$(head -c 18 /dev/urandom | base64 | tr -d '/+=')" > "$DIR/secrets.env"
  fi
  local DB_FILE REDIS_FILE
  DB_FILE=$(sed -n 's/^DB_PASSWORD=//p' "$DIR/secrets.env")
  REDIS_FILE=$(sed -n 's/^REDIS_PASSWORD=//p' "$DIR/secrets.env")
  export DB_PASSWORD=${DB_PASSWORD:-$DB_FILE} REDIS_PASSWORD=${REDIS_PASSWORD:-$REDIS_FILE}
}

wait_for() {  # wait_for <what> <pid file or ""> <command...>: until the command succeeds
  local what=$1 pidfile=$2; shift 2
  for _ in $(seq 1 180); do
    "$@" > /dev/null 2>&1 && return 0
    if [ -n "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2> /dev/null; then break; fi
    sleep 1
  done
  echo "$what did not start; see $DIR/" >&2; return 1
}

# ------------------------------------------------------------------------------------- services

start_postgres() {
  local bin; bin=$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -1)")
  if [ ! -f "$DIR/pg/PG_VERSION" ]; then
    mkdir -p "$DIR/pg" "$DIR/pgrun"
    printf '%s\n' "$DB_PASSWORD" > "$DIR/pgrun/pw"
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$DIR/pg" "$DIR/pgrun"
    as_postgres "$bin/initdb" -D "$DIR/pg" -U postgres -E UTF8 --auth=scram-sha-256 --pwfile="$DIR/pgrun/pw" > "$DIR/pgrun/initdb.log"
    rm -f "$DIR/pgrun/pw"
  fi
  as_postgres "$bin/pg_ctl" -D "$DIR/pg" -l "$DIR/pgrun/postgres.log" -w -t 60 \
    -o "-p $DB_PORT -k $DIR/pgrun -c listen_addresses=127.0.0.1 -c max_connections=200" start > /dev/null
  local url="postgresql://postgres:$DB_PASSWORD@127.0.0.1:$DB_PORT/postgres"
  if [ -z "$(psql "$url" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'rasa'")" ]; then
    psql "$url" -qc "CREATE ROLE rasa LOGIN PASSWORD '$DB_PASSWORD'" -c "CREATE DATABASE rasa OWNER rasa"
  fi
}
stop_postgres() {
  local bin; bin=$(dirname "$(compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" | sort -V | tail -1)")
  [ -f "$DIR/pg/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$DIR/pg" -m fast -w stop > /dev/null || true
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass "$REDIS_PASSWORD" --save "" \
    --appendonly no --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
  wait_for Redis "" redis-cli -p "$REDIS_PORT" --no-auth-warning -a "$REDIS_PASSWORD" ping
}
stop_redis() { stop_pidfile "$DIR/redis.pid"; }

start_actions() {
  setsid "$ROOT/.venv/bin/rasa" run actions --actions actions --port "$ACTIONS_PORT" \
    > "$DIR/actions.log" 2>&1 < /dev/null &
  echo $! > "$DIR/actions.pid"
  wait_for "The action server" "$DIR/actions.pid" curl -fs "http://127.0.0.1:$ACTIONS_PORT/health"
}
stop_actions() { stop_pidfile "$DIR/actions.pid"; }

launch_rasa() {  # starts one Rasa server without waiting
  local port=$1 api=()
  if [ -n "${RASA_API_TOKEN:-}" ]; then api=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
  # shellcheck disable=SC2086
  SANIC_WORKERS=${SANIC_WORKERS:-1} setsid "$ROOT/.venv/bin/rasa" run --model "$ROOT/models/poi.tar.gz" \
    --endpoints scale/endpoints.yml --credentials credentials.yml --port "$port" --cors $CORS_ORIGINS \
    "${api[@]}" > "$DIR/rasa-$port.log" 2>&1 < /dev/null &
  echo $! > "$DIR/rasa-$port.pid"
}
wait_rasa() { wait_for "The Rasa server on port $1" "$DIR/rasa-$1.pid" curl -fs "http://127.0.0.1:$1/"; }
stop_rasa() { stop_pidfile "$DIR/rasa-$1.pid"; }

start_nginx() {
  local servers=""
  for port in $RASA_PORTS; do servers+="server 127.0.0.1:$port max_fails=1 fail_timeout=10s; "; done
  mkdir -p "$DIR/nginx-tmp"
  sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$NGINX_PORT#g" -e "s#@SERVERS@#$servers#g" scale/nginx.conf > "$DIR/nginx.conf"
  "$(command -v nginx || echo /usr/sbin/nginx)" -c "$DIR/nginx.conf" -p "$DIR" 2> "$DIR/nginx-start.log"
  wait_for nginx "" curl -fs "http://127.0.0.1:$NGINX_PORT/"
}
stop_nginx() { stop_pidfile "$DIR/nginx.pid"; }

stop_pidfile() {  # stops the process (group) in a pid file: TERM, then KILL after 20 s
  local file=$1 pid
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2> /dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null || true
  rm -f "$file"
}

service() {  # service start|stop NAME
  case "$2" in
    postgres|redis|actions|nginx) "$1_$2" ;;
    rasa-*) if [ "$1" = start ]; then launch_rasa "${2#rasa-}"; wait_rasa "${2#rasa-}"; else stop_rasa "${2#rasa-}"; fi ;;
    *) echo "unknown service $2" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  start)
    install_missing
    load_secrets
    start_postgres
    start_redis
    start_actions
    for port in $RASA_PORTS; do launch_rasa "$port"; done
    for port in $RASA_PORTS; do wait_rasa "$port"; done
    start_nginx
    echo "Scaled-out assistant: http://127.0.0.1:$NGINX_PORT/webhooks/rest/webhook and /socket.io/"
    echo "  Rasa servers on ports $RASA_PORTS, PostgreSQL on $DB_PORT, Redis on $REDIS_PORT; logs in $DIR/"
    ;;
  stop)
    load_secrets
    stop_nginx
    for port in $RASA_PORTS; do stop_rasa "$port"; done
    stop_actions
    stop_redis
    stop_postgres
    ;;
  install)
    install_missing
    ;;
  start-service|stop-service)
    load_secrets
    service "${1%-service}" "$2"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d'
    exit 2
    ;;
esac
