#!/usr/bin/env bash
# Headless Chromium for the browser tests (plaid-client-ext/tests/quickstart_browser.rs): a
# chromedriver on 127.0.0.1 that the tests drive over WebDriver.
#
#   eval "$(bash scripts/chromium.sh)"        # install if missing, start, export WEBDRIVER_URL
#   bash scripts/chromium.sh url              # print the exports of the running chromedriver
#   bash scripts/chromium.sh stop             # stop it and delete its directory
#
# It installs Debian's `chromium` and `chromium-driver` packages when chromedriver is not found,
# starts chromedriver on a free loopback port (only 127.0.0.1 may connect) with its log and pid
# in $PLAID_CHROMIUM_DIR (default /tmp/plaid-chromium), waits until it is ready, and prints
#   export WEBDRIVER_URL=http://127.0.0.1:PORT
#   export CHROMIUM_BIN=/usr/bin/chromium
# on stdout; everything else goes to stderr. Running it again while it runs only prints them.
set -euo pipefail

DIR="${PLAID_CHROMIUM_DIR:-/tmp/plaid-chromium}"
log() { printf 'chromium.sh: %s\n' "$*" >&2; }

chromium_bin() {
  local b
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
      command -v "$b"
      return
    fi
  done
}

install_if_missing() {
  if command -v chromedriver >/dev/null 2>&1 && [ -n "$(chromium_bin)" ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "chromium and chromedriver are not installed and this is not root: install the chromium and chromium-driver packages"
    exit 1
  fi
  log "installing Chromium and chromedriver from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
}

free_port() {
  local port
  for port in $(seq 9515 9615); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port in 9515..9615"
  exit 1
}

print_exports() {
  echo "export WEBDRIVER_URL=http://127.0.0.1:$(cat "$DIR/port")"
  echo "export CHROMIUM_BIN=$(chromium_bin)"
}

running() {
  [ -f "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null
}

ready() {
  # chromedriver's /status says "ready": true once it takes sessions. (In a subshell: a failed
  # redirection of `exec` ends the shell that runs it.)
  (
    exec 3<>"/dev/tcp/127.0.0.1/$(cat "$DIR/port")"
    printf 'GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    # The body ends without a newline on a kept-alive connection: read what came in 2 s.
    local reply=""
    read -r -t 2 -d '' reply <&3 || true
    [[ "$reply" == *'"ready":true'* || "$reply" == *'"ready": true'* ]]
  )
}

start() {
  install_if_missing
  if running; then
    log "already running (pid $(cat "$DIR/pid"))"
    print_exports
    return
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  local port
  port="$(free_port)"
  echo "$port" >"$DIR/port"
  setsid chromedriver --port="$port" --allowed-ips=127.0.0.1 --log-path="$DIR/chromedriver.log" \
    </dev/null >/dev/null 2>&1 &
  echo $! >"$DIR/pid"
  local i
  for i in $(seq 1 100); do
    if ready 2>/dev/null; then
      log "chromedriver running on 127.0.0.1:$port (pid $(cat "$DIR/pid"), log $DIR/chromedriver.log)"
      print_exports
      return
    fi
    if ! running; then
      log "chromedriver exited; its log:"
      cat "$DIR/chromedriver.log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  log "chromedriver did not become ready in 10 s"
  exit 1
}

stop() {
  if running; then
    kill "$(cat "$DIR/pid")" 2>/dev/null || true
  fi
  rm -rf "$DIR"
  log "stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  url) running && print_exports ;;
  *)
    log "usage: $0 [start|stop|url]"
    exit 2
    ;;
esac
