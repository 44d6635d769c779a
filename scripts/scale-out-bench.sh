#!/usr/bin/env bash
# Scale-out throughput (issue 18, docs/scaling.md): the sample batches uploaded COPIES times (as
# different units, so they are distinct batches) to one API process on a temporary PostgreSQL,
# then 1, 2 and 4 worker processes (one analysis thread each) started together and timed until
# the queue is empty. Prints one line per worker count and the per-frame CPU cost the workers
# reported on /metrics. Short: a few tens of seconds per row on 2 cores.
#   SONOQC_BINARY=path  use this sonoqc instead of building a release one
#   COPIES=n            upload the samples n times (default 2)
#   WORKERS="1 2 4"     worker counts to measure
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh postgresql curl
bin=${SONOQC_BINARY:-}
if [ -z "$bin" ]; then
  swift build -c release --product sonoqc >&2
  bin="$(swift build -c release --show-bin-path)/sonoqc"
fi
copies=${COPIES:-2}
counts=${WORKERS:-1 2 4}

tmp=$(mktemp -d /tmp/sonoqc-scale.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash scripts/postgres-temp.sh stop "$tmp/pg"
  rm -rf "$tmp"
}
trap cleanup EXIT

port=""
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
base_url=$(bash scripts/postgres-temp.sh start "$tmp/pg" "$port")

start_serve() {
  local name=$1; shift
  "$bin" serve --data "$tmp/$name" --shared "$tmp/shared-$run" --port 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  local pid=$!
  for _ in $(seq 600); do
    if grep -q "listening on" "$tmp/$name.out" 2>/dev/null; then
      echo "$pid $(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$name.out" | head -1)"; return
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2; exit 1
}

frames=$(find samples -mindepth 2 -maxdepth 2 \( -name '*.png' -o -name '*.jpg' \) | wc -l)
frames=$((frames * copies))
printf '%-8s %8s %10s %10s %9s %14s\n' workers frames wall_s frames/s speed-up cpu_ms/frame
one=""
row=0
for n in $counts; do
  # Named by row as well as worker count, so WORKERS="2 1 2" measures 2 twice.
  row=$((row + 1))
  run=r${row}w$n
  # A fresh database per row: the same uploads, an empty queue.
  psql "$base_url" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE bench_$run" >/dev/null
  export SONOQC_DATABASE_URL=${base_url/\/postgres\?/\/bench_$run?}
  read -r api_pid api_port < <(start_serve "api-$run" --role api)
  pids+=("$api_pid")
  for c in $(seq "$copies"); do
    "$bin" accounts add --role unit "unit-$c" | tail -1 > "$tmp/token-$c"
    for dir in samples/*/; do
      "$bin" upload "$dir" --server "http://127.0.0.1:$api_port" --token-file "$tmp/token-$c" >/dev/null 2>>"$tmp/upload.log"
    done
  done
  worker_ports=()
  t0=$(date +%s.%N)
  for i in $(seq "$n"); do
    read -r pid wport < <(start_serve "worker-$run-$i" --role worker --workers 1 --jobs 1)
    pids+=("$pid"); worker_ports+=("$wport")
  done
  while [ "$(psql "$SONOQC_DATABASE_URL" -X -A -t -c "SELECT COUNT(*) FROM job WHERE state NOT IN ('done', 'failed')")" != 0 ]; do
    sleep 0.2
  done
  t1=$(date +%s.%N)
  # CPU the workers spent in analysis stages, from their /metrics.
  cpu=0
  for wport in "${worker_ports[@]}"; do
    s=$(curl -sf "http://127.0.0.1:$wport/metrics" | awk '/^sonoqc_stage_cpu_seconds_total/ {t += $2} END {print t + 0}')
    cpu=$(awk -v a="$cpu" -v b="$s" 'BEGIN {print a + b}')
  done
  failed=$(psql "$SONOQC_DATABASE_URL" -X -A -t -c "SELECT COUNT(*) FROM job WHERE state = 'failed'")
  [ "$failed" = 0 ] || { echo "$failed batch(es) failed" >&2; exit 1; }
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
  [ -n "$one" ] || one=$wall
  printf '%-8s %8s %10s %10.1f %9.2f %14.1f\n' "$n" "$frames" "$wall" \
    "$(awk -v f="$frames" -v w="$wall" 'BEGIN {print f / w}')" "$(awk -v a="$one" -v w="$wall" 'BEGIN {print a / w}')" \
    "$(awk -v c="$cpu" -v f="$frames" 'BEGIN {print 1000 * c / f}')"
  # Footprint per scan, for docs/scaling.md: rows and bytes in PostgreSQL, bytes in the shared directory.
  footprint=$(psql "$SONOQC_DATABASE_URL" -X -A -t -F ' ' -c "SELECT (SELECT COUNT(*) FROM scan_job),
      (SELECT COUNT(*) FROM scan_job) + (SELECT COUNT(*) FROM scan_output) + (SELECT COUNT(*) FROM batch_file)
        + (SELECT COUNT(*) FROM job) + (SELECT COUNT(*) FROM batch),
      pg_database_size(current_database()) - (SELECT pg_database_size('template1'))")
  read -r scan_count rows db_bytes <<<"$footprint"
  blob_bytes=$(du -sb "$tmp/shared-$run" | cut -f1)
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
done
awk -v s="$scan_count" -v r="$rows" -v d="$db_bytes" -v b="$blob_bytes" -v f="$frames" 'BEGIN {
  printf "per scan (%d scans, %.2f frames each): %.1f PostgreSQL rows, %.1f kB in PostgreSQL (database growth), %.0f kB of blobs and results\n",
    s, f / s, r / s, d / s / 1024, b / s / 1024 }'
echo "(wall includes worker start-up; $(nproc) cores; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
