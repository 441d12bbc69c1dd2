#!/usr/bin/env bash
# Installs the end-to-end tests' npm packages exactly as locked (npm ci in each tests/e2e/*/
# that has a package-lock.json). Without node/npm it says so and exits 0: the e2e tests then
# skip. `make test` may call it before ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  # Debian ships npm apart from nodejs (NodeSource's nodejs carries its own npm).
  echo "install-e2e: installing Debian's npm"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm ||
    { echo "install-e2e: npm could not be installed; end-to-end tests will be skipped"; exit 0; }
fi
for lock in tests/e2e/*/package-lock.json; do
  [ -e "$lock" ] || continue
  dir="$(dirname "$lock")"
  echo "install-e2e: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
done
