#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/deps.txt (and any extra lists given as
# arguments). Idempotent and quick when everything is already there: apt is only called
# for packages dpkg does not report as installed.
set -euo pipefail
cd "$(dirname "$0")"
lists=(deps.txt "$@")
missing=()
for list in "${lists[@]}"; do
  while IFS= read -r pkg; do
    pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
    [ -n "$pkg" ] || continue
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done < "$list"
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
