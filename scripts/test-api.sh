#!/usr/bin/env bash
# `make test-api`: schemathesis against a live `sonoqc serve` and openapi.yaml; exits non-zero on
# any failure. Starts its own server on a free port with a temporary data directory, creates one
# account per role, uploads a sample batch so the read routes have data, and runs schemathesis
# once per role (each role exercises different status codes of the same routes).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==4.32.5"
fi
# SONOQC_BINARY names a built sonoqc (.ci/run passes the one `make test` linked); otherwise build
# with the same flags as `make test`.
bin=${SONOQC_BINARY:-}
if [ -z "$bin" ]; then
  swift build -c release -Xswiftc -enable-testing --product sonoqc >/dev/null
  bin="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/sonoqc"
fi
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

for role in unit reviewer admin; do
  "$bin" accounts add --data "$work/data" --role "$role" "api-$role" | tail -n 1 > "$work/$role.token"
done
"$bin" serve --data "$work/data" --port 0 > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$work/serve.out")"
[ -n "$url" ] || { echo "server did not start"; cat "$work/serve.log"; exit 1; }
"$bin" upload samples/clean-18-40 --server "$url" --token-file "$work/unit.token" --wait >/dev/null

status=0
for role in unit reviewer admin; do
  echo "== schemathesis as $role =="
  "$venv/bin/st" --config-file scripts/schemathesis.toml run openapi.yaml --url "$url" \
    -H "Authorization: Bearer $(cat "$work/$role.token")" \
    --checks all --max-examples 30 --seed 1 --no-color || status=1
done
if grep -q '"status":500\|status=500' "$work/serve.log"; then echo "server logged a 500"; status=1; fi
exit $status
