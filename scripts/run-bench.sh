#!/usr/bin/env bash
# Runs every benchmark binary of a release build. Each prints its own figure, baseline and
# ratio. Usage: scripts/run-bench.sh BUILD_DIR
set -euo pipefail
dir=${1:-build/release}
for b in "$dir"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
