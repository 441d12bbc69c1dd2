#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS (default 600) on its
# committed corpus. Usage: scripts/fuzz.sh [TARGET...]   (targets are fuzz_<name>)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/fuzz
CC=clang CXX=clang++ cmake -S . -B $dir -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPATHWISE_FUZZ=ON -DPATHWISE_TESTS=OFF -DPATHWISE_BENCH=OFF >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz_*.cc; do [ -e "$f" ] && targets+=("$(basename "${f%.cc}")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "no fuzz targets"; exit 0; }
cmake --build $dir --target "${targets[@]}"
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  mkdir -p "tests/fuzz/corpus/$name" "$dir/work/$name"
  echo "== $t for ${FUZZ_SECONDS:-600}s"
  "$dir/fuzz/$t" -max_total_time="${FUZZ_SECONDS:-600}" -print_final_stats=1 \
    "$dir/work/$name" "tests/fuzz/corpus/$name"
done
