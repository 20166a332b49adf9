#!/usr/bin/env bash
# Runs commands in two lanes side by side, one per core, for CI's checks that each compile a
# feature set of their own (one compiler process at a time, so one lane leaves a core idle).
#
#   bash scripts/lanes.sh "cmd 1" "cmd 2" ...
#
# The lanes share one queue: each takes the next command when it is free (a counter under
# flock), so they finish within one command of each other whatever each command costs. The
# first lane builds in the workspace's target dir, the second in target/lane-b (cargo locks a
# target dir per build, so a lane needs its own; the second one's first command also checks
# the dependencies again, which the queue absorbs). Each lane stops at its first failure, and
# then takes no more commands; the script prints both lanes' output and their times, and
# fails if either failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p target
cmds=("$@")
queue=target/lanes.next
echo 0 > "$queue"

# The index of the next command, or nothing when the queue is empty or a lane failed.
take() {
  flock "$queue.lock" bash -c '
    n=$(cat "$1")
    if [ "$n" = failed ] || [ "$n" -ge "$2" ]; then exit 1; fi
    echo $((n + 1)) > "$1"
    echo "$n"' _ "$queue" "${#cmds[@]}"
}

lane() {
  local name=$1 dir=$2 log=$3 start=$SECONDS count=0 i
  while i=$(take); do
    echo "[$name] ${cmds[$i]}" >> "$log"
    if ! CARGO_TARGET_DIR="$dir" bash -c "${cmds[$i]}" >> "$log" 2>&1; then
      echo "[$name] FAILED: ${cmds[$i]}" >> "$log"
      flock "$queue.lock" bash -c 'echo failed > "$1"' _ "$queue"
      return 1
    fi
    count=$((count + 1))
  done
  echo "[$name] $count commands in $((SECONDS - start))s" >> "$log"
}

: > target/lane-a.log
: > target/lane-b.log
lane a "$PWD/target" target/lane-a.log &
pa=$!
lane b "$PWD/target/lane-b" target/lane-b.log &
pb=$!
status=0
wait "$pa" || status=1
wait "$pb" || status=1
cat target/lane-a.log target/lane-b.log
exit "$status"
