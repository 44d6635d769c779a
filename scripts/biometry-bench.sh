#!/usr/bin/env bash
# Per-frame cost of the automatic head measurement (HeadMeasurer.measure), single-threaded,
# release build, on the HC18 development frames (800x540). Decoding is excluded: evaluate-hc
# times only the measurement call and reports its mean in summary.json (mean_measure_ms).
# The VM's speed drifts, so the run is repeated and every repetition is printed with the minimum.
#
# usage: scripts/biometry-bench.sh [repetitions] [images-dir truth.csv]
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-5}"
images="${2:-../shared/data/hc18-dev/images}"
truth="${3:-../shared/data/hc18-dev/truth.csv}"
scratch="${SCRATCH:-.build-bio-rel}"
swift build -c release --scratch-path "$scratch" --product sonoqc >/dev/null
bin="$scratch/release/sonoqc"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
best=""
for i in $(seq 1 "$reps"); do
  "$bin" evaluate-hc "$images" --truth "$truth" --out "$out/run$i" >/dev/null
  ms=$(python3 -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["mean_measure_ms"])' "$out/run$i/summary.json")
  echo "run $i: $ms ms/frame"
  best=$(python3 -c 'import sys; a=[float(x) for x in sys.argv[1:] if x]; print("%.2f" % min(a))' $best $ms)
done
echo "head measurement: best of $reps runs $best ms/frame (single thread, release, $(basename "$(dirname "$images")"))"
