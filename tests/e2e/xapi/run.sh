#!/usr/bin/env bash
# Runs the xAPI end-to-end test: a demo school in a temporary SQLite file (or, with
# `postgres`, in a PostgreSQL server this script starts on a Unix socket in its temporary
# directory), an administrator and an API client, `pathwise serve` on a free port, then
# xapi_e2e.mjs with the real npm client. Exits 77 (CTest SKIP_RETURN_CODE) when node,
# tests/e2e/xapi/node_modules (scripts/install-e2e.sh installs them with `npm ci`) or, for
# `postgres`, the PostgreSQL server binaries are absent.
#   tests/e2e/xapi/run.sh PATH/TO/pathwise [sqlite|postgres]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
pathwise="$1"
backend="${2:-sqlite}"
pg_bin="${PATHWISE_PG_BIN:-/usr/lib/postgresql/15/bin}"
if [ "$backend" = postgres ] && [ ! -x "$pg_bin/initdb" ]; then
  echo "SKIP: PostgreSQL server binaries not found in $pg_bin (set PATHWISE_PG_BIN)"; exit 77
fi
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node is not installed"; exit 77; fi
if [ ! -d "$here/node_modules/@xapi/xapi" ]; then
  echo "SKIP: $here/node_modules is absent (run scripts/install-e2e.sh)"; exit 77
fi
tmp="$(mktemp -d)"
server_pid=""
run_as=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -d "$tmp/pg" ]; then $run_as "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
if [ "$backend" = postgres ]; then
  # PostgreSQL refuses to run as root: under root the server runs as the postgres user.
  if [ "$(id -u)" = 0 ]; then run_as="/usr/sbin/runuser -u postgres --"; chown postgres "$tmp"; fi
  $run_as "$pg_bin/initdb" -D "$tmp/pg" -A trust -U postgres --no-sync -E UTF8 --no-locale >"$tmp/initdb.log" 2>&1 \
    || { cat "$tmp/initdb.log"; exit 1; }
  $run_as "$pg_bin/pg_ctl" -D "$tmp/pg" -o "-k $tmp -c listen_addresses='' -p 5432 -F" -l "$tmp/pg.log" -w -t 60 start >/dev/null \
    || { cat "$tmp/pg.log"; exit 1; }
  db="postgresql://postgres@/postgres?host=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$tmp")&port=5432"
else
  db="sqlite:$tmp/e2e.db"
fi
"$pathwise" demo --seed-only --students 12 --classes 1 --weeks 1 --db "$db" >/dev/null
password="e2e-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
echo "$password" | "$pathwise" user create --login e2e-admin --role administrator --password-stdin --db "$db" >/dev/null
client="$("$pathwise" client create --name e2e --scope xapi --json --db "$db")"
key="$(node -e 'console.log(JSON.parse(process.argv[1]).key)' "$client")"
secret="$(node -e 'console.log(JSON.parse(process.argv[1]).secret)' "$client")"
port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
"$pathwise" serve --db "$db" --port "$port" >"$tmp/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
      "http://127.0.0.1:$port/api/v1/health"; then break; fi
  sleep 0.1
done
cd "$here"
PW_URL="http://127.0.0.1:$port" PW_KEY="$key" PW_SECRET="$secret" PW_ADMIN=e2e-admin \
  PW_ADMIN_PASSWORD="$password" node xapi_e2e.mjs || { cat "$tmp/serve.log"; exit 1; }
