#!/usr/bin/env bash
# Load figures for `sonoqc serve` on loopback (README "Run the service"):
#  1. wrk, 64 connections, against one scan's report.json and the batch list, side by side with
#     nginx serving the same bytes as static files (the ceiling for this machine);
#  2. 20 concurrent `sonoqc upload` clients x 5 batches each, checked to be processed exactly once;
#  3. server RSS before and after.
# Usage: scripts/load-serve.sh [seconds-per-wrk-run]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
bash scripts/install-deps.sh wrk nginx
# SONOQC_BINARY names a built binary, as for test-api.sh, test-distributed.sh and the browser tests
# (.ci/run exports it after make test; SONOQC_BIN, record-golden.sh's name, is accepted too);
# otherwise the build `make test` makes (same flags, so no second release build of every package).
bin="${SONOQC_BINARY:-${SONOQC_BIN:-}}"
if [ -z "$bin" ]; then
  swift build -c release -Xswiftc -enable-testing --product sonoqc >/dev/null
  bin="$(swift build -c release -Xswiftc -enable-testing --show-bin-path)/sonoqc"
fi
work="$(mktemp -d)"
server_pid=""; nginx_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  wait 2>/dev/null; rm -rf "$work"
}
trap cleanup EXIT
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

"$bin" accounts add --data "$work/data" --role reviewer rev | tail -n 1 > "$work/rev.token"
for c in $(seq 1 20); do
  "$bin" accounts add --data "$work/data" --role unit "unit-$c" | tail -n 1 > "$work/unit-$c.token"
done
"$bin" serve --data "$work/data" --port 0 --workers 2 > "$work/serve.out" 2> "$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/^listening on //p' "$work/serve.out")"
rss_start=$(rss "$server_pid")

# sed reads the whole output: `head -n 1` would close the pipe early and SIGPIPE the client (exit 141).
id="$("$bin" upload samples/clean-18-40 --server "$url" --token-file "$work/unit-1.token" --wait | sed -n 1p)"
report="$(curl -sf -H "Authorization: Bearer $(cat "$work/rev.token")" "$url/api/v1/batches/$id/summary.json" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["scans"][0]["report"])')"

# nginx serves the same bytes from files.
mkdir -p "$work/static" "$work/nginx"
curl -sf -H "Authorization: Bearer $(cat "$work/rev.token")" "$url/api/v1/batches/$id/$report" > "$work/static/report.json"
curl -sf -H "Authorization: Bearer $(cat "$work/rev.token")" "$url/api/v1/batches" > "$work/static/batches.json"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  types { application/json json; }
  server { listen 127.0.0.1:$port; root $work/static; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
nginx_pid=$!
sleep 0.5

auth="Authorization: Bearer $(cat "$work/rev.token")"
rps() { wrk -t2 -c64 -d"${secs}s" -H "$2" "$1" | awk '/Requests\/sec/ {print $2}'; }
lat() { wrk -t2 -c64 -d"${secs}s" --latency -H "$2" "$1" | awk '/ 99%/ {print $2}'; }
echo "| target | sonoqc serve req/s | nginx static req/s |"
echo "|---|---|---|"
echo "| scan report.json ($(wc -c < "$work/static/report.json") B) | $(rps "$url/api/v1/batches/$id/$report" "$auth") | $(rps "http://127.0.0.1:$port/report.json" "X-None: 1") |"
echo "| batch list ($(wc -c < "$work/static/batches.json") B) | $(rps "$url/api/v1/batches" "$auth") | $(rps "http://127.0.0.1:$port/batches.json" "X-None: 1") |"
rss_after_reads=$(rss "$server_pid")

# 20 clients x 5 batches: each batch 2 images (the name makes each declaration distinct; the
# blobs are shared, as a centre re-sending the same frames would).
pngs=(samples/clean-18-40/*.png)
for c in $(seq 1 20); do
  for b in $(seq 1 5); do
    d="$work/batches/c$c-b$b"; mkdir -p "$d"
    cp "${pngs[$(( (c + b) % ${#pngs[@]} ))]}" "${pngs[$(( (c * b) % ${#pngs[@]} ))]}" "$d/" 2>/dev/null || true
  done
done
start=$(date +%s.%N)
for c in $(seq 1 20); do
  (for b in $(seq 1 5); do
     "$bin" upload "$work/batches/c$c-b$b" --server "$url" --token-file "$work/unit-$c.token" --wait > /dev/null || echo "client $c batch $b: exit $?"
   done) &
done
wait $(jobs -p | grep -v -e "^$server_pid\$" -e "^$nginx_pid\$") 2>/dev/null || true
end=$(date +%s.%N)
rss_end=$(rss "$server_pid")
curl -sf -H "$auth" "$url/api/v1/batches" | python3 -c '
import json, sys
import re
# The load batches are named c<client>-b<batch>; the warm-up batch (clean-18-40) is not one of them.
b = [x for x in json.load(sys.stdin) if re.fullmatch(r"c\d+-b\d+", x["name"])]
done = [x for x in b if x["state"] == "done"]
once = [x for x in done if x["attempts"] == 1]
print(f"uploads: {len(b)} batches, {len(done)} done, {len(once)} processed in one attempt")
sys.exit(0 if len(b) == len(done) == len(once) == 100 else 1)'
echo "published result directories: $(ls "$work/data/results" | wc -l) (expected 101 with the warm-up batch)"
python3 -c "print(f'20 clients x 5 batches: {$end - $start:.1f} s wall')"
echo "server RSS: ${rss_start} kB at start, ${rss_after_reads} kB after the wrk runs, ${rss_end} kB after the uploads"
