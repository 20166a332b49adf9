#!/usr/bin/env bash
# Installs plaid-emulator from its packaged crate, as a user without this repository would get
# it, then starts the installed binary and checks it answers: what CI runs after
# `cargo package`/`cargo publish --dry-run` has written target/package/*.crate.
#
#   bash scripts/install-emulator.sh            # unpack, `cargo install`, start, check, stop
#
# The packaged emulator depends on `plaid-client = "0.1.0"` from crates.io, which is not
# published yet: the unpacked plaid-client package stands in for it through a `[patch]`, so
# both come from their .crate files and nothing from the work tree. It installs into
# target/emulator-install/ (bin/plaid-emulator), building in the workspace's target dir, where
# the dependencies the packages share with the workspace (tokio, reqwest, rustls, …) are
# already built: only the two packages themselves and any dependency whose resolved version or
# features differ are compiled.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'install-emulator.sh: %s\n' "$*" >&2; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' plaid-emulator/Cargo.toml | head -n 1)
client_version=$(sed -n 's/^version = "\(.*\)"/\1/p' plaid-client/Cargo.toml | head -n 1)
# Outside the repository: inside it, Cargo would take the packages for workspace members.
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/plaid-emulator-packages.XXXXXX")
pid=""
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$unpacked"' EXIT
for crate in "plaid-emulator-$version" "plaid-client-$client_version"; do
  if [ ! -f "target/package/$crate.crate" ]; then
    log "target/package/$crate.crate is missing: run cargo package (or CI's dry run) first"
    exit 1
  fi
  tar -xzf "target/package/$crate.crate" -C "$unpacked"
done

root="$PWD/target/emulator-install"
log "cargo install from $unpacked/plaid-emulator-$version"
# --debug: this checks that the package builds and runs, not how fast; a release build of the
# generated client costs minutes more.
cargo install --debug --force --path "$unpacked/plaid-emulator-$version" \
  --root "$root" --target-dir "$PWD/target" \
  --config "patch.crates-io.plaid-client.path=\"$unpacked/plaid-client-$client_version\""

# The installed binary prints its base URL as its first line, then serves until killed.
coproc EMULATOR { exec "$root/bin/plaid-emulator" --listen 127.0.0.1:0 --client-id ci-id --secret ci-secret; }
pid=$EMULATOR_PID
base=""
read -r -t 60 base <&"${EMULATOR[0]}" || { log "no base URL within 60 s"; exit 1; }
case "$base" in
  http://127.0.0.1:*) ;;
  *) log "unexpected first line: $base"; exit 1 ;;
esac
# A Plaid call with the configured keys, and a control route.
answer=$(curl -sS -X POST "$base/sandbox/public_token/create" -H 'Content-Type: application/json' \
  -d '{"client_id":"ci-id","secret":"ci-secret","institution_id":"ins_109508","initial_products":["transactions"]}')
case "$answer" in
  *'"public_token":"public-sandbox-'*) ;;
  *) log "unexpected answer: $answer"; exit 1 ;;
esac
curl -sSf "$base/emulator/counters" >/dev/null
log "installed $("$root/bin/plaid-emulator" --version) from its package; it answered at $base"
