#!/usr/bin/env bash
# make test-distributed (issue 18): one PostgreSQL, one API process and three worker processes on
# this machine, the sample batches uploaded with `sonoqc upload`, one worker killed with kill -9
# while it holds a job. Passes when every batch ends done, each scan was reported exactly once,
# and every output (timing.json aside) is byte-identical to `sonoqc analyze` on the same files.
# Besides the samples, one batch of DICOM files without a manifest: its scans are named by a keyed
# hash of the study, so every scan job and the assembly must use the batch's one key, and the
# assembly must find every scan already reported (nothing analysed twice).
# Installs what it needs (postgresql) and removes everything it started or wrote.
#   SONOQC_BINARY=path  use this sonoqc instead of building a release one
#   KEEP=1              keep the temporary directory for inspection
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/install-deps.sh postgresql curl python3
# Built with make test's flags (as test-api.sh), so the store tests below and this binary share
# one build instead of rebuilding the whole package with other flags.
flags=(${TEST_FLAGS:--c release -Xswiftc -enable-testing})
bin=${SONOQC_BINARY:-}
if [ -z "$bin" ]; then
  swift build "${flags[@]}" --product sonoqc >&2
  bin="$(swift build "${flags[@]}" --show-bin-path)/sonoqc"
fi

tmp=$(mktemp -d /tmp/sonoqc-distributed.XXXXXX)
chmod 755 "$tmp"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  bash scripts/postgres-temp.sh stop "$tmp/pg"
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# "SUMMARY:" lines are the closing verdict .ci/run picks out of the log.
fail() { echo "SUMMARY: test-distributed: FAIL: $*" >&2; exit 1; }

# A free port for PostgreSQL: the first of a few random ones nobody listens on.
port=""
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 20000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || fail "no free port for PostgreSQL"
SONOQC_DATABASE_URL=$(bash scripts/postgres-temp.sh start "$tmp/pg" "$port")
export SONOQC_DATABASE_URL
psql_q() { psql "$SONOQC_DATABASE_URL" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# The store tests against this server (skipped, with the reason shown, when no server is given).
if [ "${SKIP_SWIFT_TESTS:-0}" != 1 ]; then
  if ! SONOQC_TEST_POSTGRES_URL=$SONOQC_DATABASE_URL swift test "${flags[@]}" \
      --filter 'StoreContractTests' >"$tmp/swift-test.log" 2>&1; then
    tail -40 "$tmp/swift-test.log" >&2; fail "store tests failed"
  fi
  grep -E "Suite .*(passed|failed)|Test run with" "$tmp/swift-test.log" | tail -5 || true
fi

"$bin" accounts add --role unit unit-a | tail -1 > "$tmp/token"
"$bin" accounts add --role reviewer rev | tail -1 > "$tmp/reviewer-token"

# Starts `sonoqc serve` in the background; prints its pid and port ("pid port").
start_serve() {
  local name=$1; shift
  "$bin" serve --data "$tmp/$name" --shared "$tmp/shared" --port 0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
  local pid=$!
  for _ in $(seq 600); do
    if grep -q "listening on" "$tmp/$name.out" 2>/dev/null; then
      echo "$pid $(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/$name.out" | head -1)"; return
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/$name.log" >&2; fail "$name did not start"; }
    sleep 0.1
  done
  fail "$name did not start in 60 s"
}

read -r api_pid api_port < <(start_serve api --role api)
pids+=("$api_pid")
server="http://127.0.0.1:$api_port"
workers=()
for i in 1 2 3; do
  # Short leases so the killed worker's job comes back within seconds; a per-frame delay so jobs
  # last long enough to be killed in the middle.
  read -r pid _ < <(start_serve "worker$i" --role worker --workers 1 --jobs 1 --lease-seconds 3 --test-delay-ms 30)
  pids+=("$pid"); workers+=("$pid")
done

dicom="$tmp/upload/dicom-studies"
mkdir -p "$dicom"
for f in rle-monochrome2-8-3frames.dcm explicit-le-rgb-8-planar0.dcm jpeg-baseline-ybr_full_422-2frames.dcm; do
  cp "Tests/SonoCodecsTests/Fixtures/dicom/$f" "$dicom/"
done
batches=()
declare -A ids sources
for dir in samples/*/ "$dicom/"; do
  name=$(basename "$dir")
  ls "$dir" | grep -Eq '^manifest\.(json|csv)$|\.dcm$' || continue
  id=$("$bin" upload "$dir" --server "$server" --token-file "$tmp/token" 2>>"$tmp/upload.log" | head -1)
  [ -n "$id" ] || fail "upload of $name gave no batch id (see $tmp/upload.log)"
  ids[$name]=$id
  sources[$name]=${dir%/}
  batches+=("$name")
done

# kill -9 a worker that holds a job right now (its lease names its pid). The worker is stopped
# (SIGSTOP) before its lease is read again, so it cannot finish the job between that check and the
# kill; one that finished in the meantime is let go and another is chosen.
holding() {
  psql_q "SELECT 'scan ' || scan_key || ' of batch ' || batch_id FROM scan_job WHERE state = 'running' AND lease_owner LIKE '%:$1:%'
          UNION ALL SELECT phase || ' of batch ' || batch_id FROM job WHERE state = 'running' AND lease_owner LIKE '%:$1:%'" | head -1
}
victim=""
held=""
for _ in $(seq 600); do
  owners=$(psql_q "SELECT lease_owner FROM scan_job WHERE state = 'running' UNION ALL
                  SELECT lease_owner FROM job WHERE state = 'running' AND lease_owner IS NOT NULL" || true)
  for pid in "${workers[@]}"; do
    grep -q ":$pid:" <<<"$owners" || continue
    kill -STOP "$pid"
    # A completion the worker sent just before it stopped reaches the database within this pause.
    sleep 0.3
    held=$(holding "$pid")
    if [ -n "$held" ]; then victim=$pid; break 2; fi
    kill -CONT "$pid"
  done
  sleep 0.1
done
[ -n "$victim" ] || fail "no worker was seen holding a job"
kill -9 "$victim"
echo "test-distributed: killed worker pid $victim (kill -9) while it held the $held" >&2

# Wait for every batch: rerunning the upload with --wait is resumable and returns the same batch.
for name in "${batches[@]}"; do
  set +e
  again=$(timeout 600 "$bin" upload "${sources[$name]}" --server "$server" --token-file "$tmp/token" --wait 2>>"$tmp/upload.log")
  status=$?
  set -e
  [ "$(head -1 <<<"$again")" = "${ids[$name]}" ] || fail "re-upload of $name made a second batch"
  [ $status -le 1 ] || fail "batch $name ended with upload status $status: $again"
  state=$(curl -sf -H "Authorization: Bearer $(cat "$tmp/token")" "$server/api/v1/batches/${ids[$name]}")
  grep -q '"state":"done"' <<<"$state" || fail "batch $name is not done: $state"
done

# Exactly once: one published directory per batch, and no batch finished twice.
published=$(ls "$tmp/shared/results" | sort)
expected=$(for n in "${batches[@]}"; do echo "${ids[$n]}"; done | sort)
[ "$published" = "$expected" ] || fail "published results differ from the batches: $published"
[ "$(psql_q "SELECT COUNT(*) FROM job WHERE state <> 'done'")" = 0 ] || fail "jobs not done"
retried=$(psql_q "SELECT (SELECT COUNT(*) FROM job WHERE attempts > 1) + (SELECT COUNT(*) FROM scan_job WHERE attempts > 1)")
[ "$retried" -ge 1 ] || fail "the killed worker's work was never taken again"
# Every scan job completed once: done, with its report files recorded in that same transaction.
[ "$(psql_q "SELECT COUNT(*) FROM scan_job WHERE state <> 'done'")" = 0 ] || fail "scan jobs not done"
[ "$(psql_q "SELECT COUNT(*) FROM scan_job s WHERE NOT EXISTS (SELECT 1 FROM scan_output o
      WHERE o.batch_id = s.batch_id AND o.position = s.position AND o.path LIKE '%/report.json')")" = 0 ] \
  || fail "a scan job finished without its report recorded"
scan_jobs=$(psql_q "SELECT COUNT(*) FROM scan_job")

# Outputs identical to `sonoqc analyze` on the same files at the same relative path.
scans=0
for name in "${batches[@]}"; do
  id=${ids[$name]}
  replay="$tmp/replay/$id"
  input="work/$id/in/$name"
  mkdir -p "$replay/$input"
  find "${sources[$name]}" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' -o -name '*.dcm' \
    -o -name 'manifest.json' -o -name 'manifest.csv' \) -exec cp {} "$replay/$input/" \;
  # DICOM studies are named under the batch's key; the replay names them with the same one.
  if [ -e "$tmp/shared/scan-keys/$id" ]; then cp "$tmp/shared/scan-keys/$id" "$replay/out.sonoqc-scan-key"; fi
  (cd "$replay" && "$bin" analyze "$input" --out out --quiet >/dev/null) || [ $? -eq 1 ] || fail "analyze $name failed"
  diff -r -x timing.json "$replay/out" "$tmp/shared/results/$id" >"$tmp/diff-$name.txt" \
    || fail "outputs of $name differ from sonoqc analyze (diff in $tmp/diff-$name.txt; KEEP=1 keeps it)"
  # Each scan reported exactly once in the summary.
  n=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); k=[x["scan"] for x in s["scans"]]; assert len(k)==len(set(k)) and all(x["status"]=="reported" for x in s["scans"]), "scan twice or unreported"; print(len(k))' \
    "$tmp/shared/results/$id/summary.json") || fail "$name: a scan is missing or listed twice"
  scans=$((scans + n))
  [ "$(psql_q "SELECT COUNT(*) FROM scan_job WHERE batch_id = '$id'")" = "$n" ] || fail "$name: scan jobs differ from its scans"
done
[ "$scans" = "$scan_jobs" ] || fail "$scan_jobs scan jobs for $scans scans"
[ -e "$tmp/shared/scan-keys/${ids[dicom-studies]}" ] || fail "the DICOM batch has no shared scan key"
grep -q 'study-' "$tmp/shared/results/${ids[dicom-studies]}/summary.json" \
  || fail "the DICOM batch's scan is not named by its study"
if grep -l "re-analysed at assembly" "$tmp"/worker*.log >/dev/null 2>&1; then
  fail "a batch was analysed again at assembly: $(grep -h "re-analysed at assembly" "$tmp"/worker*.log | head -1)"
fi
# The work spread: scans finished per worker process (the killed one may have finished some).
spread=$(psql_q "SELECT COUNT(*) FROM scan_job GROUP BY finished_by ORDER BY 1 DESC" | paste -sd/)
[ "$(psql_q "SELECT COUNT(DISTINCT finished_by) FROM scan_job")" -ge 2 ] || fail "one worker did every scan ($spread)"

metrics=$(curl -sf "$server/metrics") || fail "/metrics unreachable"
grep -Eq '^sonoqc_jobs\{state="done"\} '"${#batches[@]}"'(\.0)?$' <<<"$metrics" || fail "/metrics does not count the done jobs: $metrics"
grep -Eq '^sonoqc_scan_jobs\{state="done"\} '"$scans"'(\.0)?$' <<<"$metrics" || fail "/metrics does not count the done scan jobs: $metrics"

echo "SUMMARY: test-distributed: ${#batches[@]} batches, $scans scans as $scan_jobs scan jobs over 3 worker processes (scans per process: $spread; 1 killed with kill -9, its work taken again), each scan once, outputs identical to sonoqc analyze: PASS"
