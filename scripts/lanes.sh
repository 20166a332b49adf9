#!/usr/bin/env bash
# Runs commands in two lanes side by side, one per core, for CI's checks that each compile a
# feature set of their own (one compiler process at a time, so one lane leaves a core idle).
#
#   bash scripts/lanes.sh "cmd 1" "cmd 2" ...
#
# Odd-numbered commands run in order in the first lane, in the workspace's target dir; the
# others in the second lane, in target/lane-b (cargo locks a target dir per build, so a lane
# needs its own). Each lane stops at its first failure; the script prints both lanes' output
# and their times, and fails if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
a=() b=()
i=0
for cmd in "$@"; do
  if [ $((i % 2)) = 0 ]; then a+=("$cmd"); else b+=("$cmd"); fi
  i=$((i + 1))
done

lane() {
  local name=$1 dir=$2 log=$3
  shift 3
  local start=$SECONDS
  for cmd in "$@"; do
    echo "[$name] $cmd" >> "$log"
    if ! CARGO_TARGET_DIR="$dir" bash -c "$cmd" >> "$log" 2>&1; then
      echo "[$name] FAILED: $cmd" >> "$log"
      return 1
    fi
  done
  echo "[$name] ${#@} commands in $((SECONDS - start))s" >> "$log"
}

: > target/lane-a.log
: > target/lane-b.log
lane a "$PWD/target" target/lane-a.log "${a[@]}" &
pa=$!
lane b "$PWD/target/lane-b" target/lane-b.log "${b[@]}" &
pb=$!
status=0
wait "$pa" || status=1
wait "$pb" || status=1
cat target/lane-a.log target/lane-b.log
exit "$status"
