#!/usr/bin/env bash
# End-to-end peer comparison (make bench-peers, after the kernel table): `sonoqc analyze` (full and
# --no-html) beside OpenCV's decode-only loop and its bare filter chain on the same real frames.
#   E2E_FRAMES=N   frames to use (default 200), the first N of the HC18 set, one scan each
#   E2E_ROUNDS=N   interleaved rounds; best and median are reported (default 3)
#   E2E_JOBS=N     workers for both sides (default 2)
#   E2E_JSON=FILE  also write the results as JSON
#   E2E_SONOQC=BIN use this sonoqc instead of building the release product
#   E2E_BASELINE=BIN also time this sonoqc (e.g. the previous commit's build) in the same rounds
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/Benchmarks/.venv"
data="$root/../shared/data/hc18-dev/images"
[[ -d "$data" ]] || { echo "e2e: $data not found (the HC18 frames live in ../shared beside the repository)" >&2; exit 1; }

if ! "$venv/bin/python" -c "import cv2, numpy" 2>/dev/null; then
    echo "creating $venv with opencv-python-headless and numpy" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet opencv-python-headless numpy
fi

if [[ -n "${E2E_SONOQC:-}" ]]; then
    sonoqc="$E2E_SONOQC"
else
    (cd "$root" && swift build -c release --product sonoqc >&2)
    sonoqc="$(cd "$root" && swift build -c release --show-bin-path)/sonoqc"
fi

# One directory per frame, so each frame is its own scan (sonoqc groups a directory's frames).
frames="$(mktemp -d /tmp/sonoqc-e2e-frames.XXXXXX)"
trap 'rm -rf "$frames"' EXIT
count=0
while IFS= read -r f; do
    name="$(basename "$f" .png)"
    mkdir -p "$frames/$name" && cp "$f" "$frames/$name/"
    count=$((count + 1))
done < <(find "$data" -maxdepth 1 -name '*.png' | LC_ALL=C sort | head -n "${E2E_FRAMES:-200}")
echo "e2e: $count frames in $frames" >&2

args=(--sonoqc "$sonoqc" --frames "$frames" --jobs "${E2E_JOBS:-2}" --rounds "${E2E_ROUNDS:-3}")
[[ -n "${E2E_JSON:-}" ]] && args+=(--json "$E2E_JSON")
[[ -n "${E2E_BASELINE:-}" ]] && args+=(--baseline-sonoqc "$E2E_BASELINE")
"$venv/bin/python" "$here/e2e.py" "${args[@]}"
