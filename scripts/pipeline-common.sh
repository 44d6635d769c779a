# Shared by scripts/pipeline-*.sh: builds sonoqc in release and makes large batches cheaply.
# shellcheck shell=bash
cd "$(dirname "$0")/.."
# SONOQC_BIN measures an already built binary (for example the one `make test` built) instead.
if [ -n "${SONOQC_BIN:-}" ]; then
  bin="$(cd "$(dirname "$SONOQC_BIN")" && pwd)/$(basename "$SONOQC_BIN")"
else
  scratch="${SCRATCH:-.build-pipe-rel}"
  swift build -c release --scratch-path "$scratch" --product sonoqc >/dev/null
  bin="$scratch/release/sonoqc"
fi
images="${IMAGES:-../shared/data/hc18-dev/images}"
[ -d "$images" ] || images="samples/clean-18-40"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# make_batch DIR COUNT PER_SCAN: COUNT symlinks to the source PNGs (cycling), PER_SCAN per sub-directory
# (one scan each), so thousands of frames cost no disc space and decode like the originals.
make_batch() {
  local dir="$1" count="$2" per="$3"
  mkdir -p "$dir"
  mapfile -t src < <(find "$(cd "$images" && pwd)" -maxdepth 1 -iname '*.png' | sort)
  local n=${#src[@]} i
  for ((i = 0; i < count; i++)); do
    local scan
    scan=$(printf '%s/scan%05d' "$dir" $((i / per)))
    [ -d "$scan" ] || mkdir -p "$scan"
    ln -s "${src[$((i % n))]}" "$(printf '%s/img%06d.png' "$scan" "$i")"
  done
}

# images_per_second OUT: throughput recorded in OUT/timing.json
images_per_second() {
  python3 -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["run"]["images_per_second"])' "$1/timing.json"
}

# timed_ips COUNT CMD...: end-to-end images/s of a whole process (discovery and output included).
timed_ips() {
  local count="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null
  t1=$(date +%s.%N)
  python3 -c "print('%.1f' % ($count / ($t1 - $t0)))"
}
