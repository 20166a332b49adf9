#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for plaid-sync's tests, example and benchmark.
#
#   eval "$(bash scripts/postgres.sh)"        # install if missing, start, export the URLs
#   bash scripts/postgres.sh url              # print the URL of the running cluster
#   bash scripts/postgres.sh stop             # stop it and delete its directory
#
# It installs Debian's `postgresql` package when no server binaries are found, creates the
# cluster in a temporary directory ($PLAID_SYNC_PG_DIR, default /tmp/plaid-sync-postgres) owned
# by the `postgres` user when run as root (root may not run the server), listens on a free
# loopback port with trust authentication (loopback only, test data only), and prints
#   export PLAID_SYNC_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   export DATABASE_URL=...same...
# on stdout; everything else goes to stderr. Running it again while the cluster runs only
# prints the URLs again.
set -euo pipefail

DIR="${PLAID_SYNC_PG_DIR:-/tmp/plaid-sync-postgres}"
log() { printf 'postgres.sh: %s\n' "$*" >&2; }

bin_dir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
    fi
  done | sort -V | tail -n 1
}

install_if_missing() {
  if [ -n "$(bin_dir)" ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "PostgreSQL is not installed and this is not root: install the postgresql package"
    exit 1
  fi
  log "installing PostgreSQL from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for port in $(seq 54329 54429); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port in 54329..54429"
  exit 1
}

print_urls() {
  local url="postgres://postgres@127.0.0.1:$(cat "$DIR/port")/postgres"
  echo "export PLAID_SYNC_POSTGRES_URL=$url"
  echo "export DATABASE_URL=$url"
}

running() {
  local bin
  bin="$(bin_dir)"
  [ -n "$bin" ] && [ -f "$DIR/data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

start() {
  install_if_missing
  if running; then
    log "already running in $DIR"
    print_urls
    return
  fi
  local bin port
  bin="$(bin_dir)"
  rm -rf "$DIR"
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$DIR"
  fi
  as_owner "$bin/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  port="$(free_port)"
  echo "$port" >"$DIR/port"
  # fsync off: a throwaway cluster for tests, never for data that matters.
  as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c max_connections=300" \
    start >&2
  log "running on 127.0.0.1:$port (data in $DIR/data, log in $DIR/server.log)"
  print_urls
}

stop() {
  local bin
  bin="$(bin_dir)"
  if [ -n "$bin" ] && [ -f "$DIR/data/PG_VERSION" ]; then
    as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$DIR"
  log "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) running && print_urls ;;
  *)
    log "usage: $0 [start|stop|url]"
    exit 2
    ;;
esac
