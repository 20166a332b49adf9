#!/usr/bin/env bash
# The tests that depend on time (pacing, rate limits, leases, timeouts, retries, webhook
# delivery, delays), run N times in a row while a build of plaid-client keeps both cores busy,
# so that a flake shows here before it turns a newcomer's first `cargo test` or a CI run red.
#
#   bash scripts/time-tests.sh [N]        (N defaults to 50)
#
# It builds the test binaries once, then loops a `cargo build -p plaid-client` in a target dir
# of its own (so it never waits on the tests' lock, nor they on it) and runs the binaries
# directly. Prints one line per round and, at the end, `N passed, M failed`; exits 1 if any
# round failed, keeping each failed round's output under target/time-tests/.
set -euo pipefail
cd "$(dirname "$0")/.."

root=$PWD
rounds=${1:-50}
out=target/time-tests
mkdir -p "$out"

# package  test target  filter (empty: every test of the target)
TESTS=$(cat <<'LIST'
plaid-sync pacing_under_faults sqlite_
plaid-sync sync_engine sqlite::
plaid-sync intake backoff
plaid-emulator control
plaid-emulator faults
plaid-emulator webhook_delivery
plaid-emulator webhooks
plaid-emulator login_required
plaid-emulator transfer_events
plaid-emulator transactions_get
plaid-client-ext webhook_cost
plaid-client-ext webhooks iat
plaid-client-ext response_bounds
plaid-tests ext_client
plaid-tests safety
plaid-tests sync_paginate
plaid-tests metrics
LIST
)

echo "building the test binaries"
cargo test --workspace --no-run --message-format=json 2>/dev/null \
  | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    t = m.get("target", {})
    if m.get("reason") == "compiler-artifact" and m.get("executable") and "test" in t.get("kind", []):
        # "path+file:///dir/name#version", or "...#name@version" when the name differs from the folder
        url, _, frag = m["package_id"].partition("#")
        pkg = frag.split("@")[0] if "@" in frag else url.rstrip("/").split("/")[-1]
        print(pkg, t["name"], m["executable"], m["manifest_path"])
' > "$out/binaries"

# Resolve the list to executables now, so a name that no longer exists fails loudly.
: > "$out/plan"
while read -r pkg target filter; do
  line=$(awk -v p="$pkg" -v t="$target" '$1 == p && $2 == t {print $3, $4; exit}' "$out/binaries")
  if [ -z "$line" ]; then
    echo "no test binary $pkg/$target: update the list in $0" >&2
    exit 2
  fi
  # A hard link (a copy where links fail), so a build running meanwhile (an engineer's) cannot
  # replace the binary mid-run: the linker writes a new file, the link keeps this one.
  exe=${line%% *}
  mkdir -p "$out/bin"
  ln -f "$exe" "$out/bin/$pkg-$target" 2>/dev/null || cp "$exe" "$out/bin/$pkg-$target"
  echo "$pkg $target $out/bin/$pkg-$target ${line#* } ${filter:-}" >> "$out/plan"
done <<< "$TESTS"

load() {
  while :; do
    cargo build -q -p plaid-client --target-dir target/time-tests-load >/dev/null 2>&1 || true
    cargo clean -q -p plaid-client --target-dir target/time-tests-load >/dev/null 2>&1 || true
  done
}
load &
load_pid=$!
trap 'kill "$load_pid" 2>/dev/null; pkill -f "target-dir target/time-tests-load" 2>/dev/null || true' EXIT

passed=0
failed=0
for round in $(seq 1 "$rounds"); do
  log="$out/round-$round.log"
  : > "$log"
  ok=1
  start=$SECONDS
  while read -r pkg target exe manifest filter; do
    if ! (cd "$(dirname "$manifest")" && "$root/$exe" ${filter:+"$filter"}) >> "$log" 2>&1; then
      ok=0
      echo "round $round: $pkg/$target failed" >&2
    fi
  done < "$out/plan"
  if [ "$ok" = 1 ]; then
    passed=$((passed + 1))
    rm -f "$log"
  else
    failed=$((failed + 1))
  fi
  echo "round $round/$rounds: $([ "$ok" = 1 ] && echo passed || echo "FAILED ($log)") in $((SECONDS - start))s"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
