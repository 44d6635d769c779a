#!/usr/bin/env bash
# Peer comparison (make bench-peers): SonoQC filter kernels vs OpenCV (single thread) and the
# NumPy SRAD/Lee references, on the same 800x540 frame, in one run.
#   PEERS_JSON=FILE  also write the table as JSON
#   PEERS_IMAGE=PNG  image to use (default: HC18 frame 000_HC.png if present, else a
#                    synthetic speckle frame written by filter-timer's generator)
#   SWIFT_FLAGS=...  extra flags for the filter-timer build (e.g. "-Xswiftc -target-cpu -Xswiftc x86-64-v3")
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
venv="$bench/.venv"

if ! "$venv/bin/python" -c "import cv2, numpy" 2>/dev/null; then
    echo "creating $venv with opencv-python-headless and numpy" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet opencv-python-headless numpy
fi

(cd "$bench" && swift build -c release --product filter-timer ${SWIFT_FLAGS:-} >&2)
timer="$(cd "$bench" && swift build -c release --product filter-timer ${SWIFT_FLAGS:-} --show-bin-path)/filter-timer"

image="${PEERS_IMAGE:-/work/shared/data/hc18-dev/images/000_HC.png}"
if [[ ! -f "$image" ]]; then
    image="$bench/.build/peer-synthetic.png"
    "$venv/bin/python" - "$image" <<'PY'
import sys, importlib.util, os
import cv2
root = os.path.normpath(os.path.join(os.path.dirname(sys.argv[1]), "..", ".."))
spec = importlib.util.spec_from_file_location("fx", os.path.join(root, "scripts", "make-filter-fixtures.py"))
fx = importlib.util.module_from_spec(spec); spec.loader.exec_module(fx)
cv2.imwrite(sys.argv[1], fx.synthetic(800, 540, 2002))
PY
fi

args=(--timer "$timer" --image "$image")
[[ -n "${PEERS_JSON:-}" ]] && args+=(--json "$PEERS_JSON")
"$venv/bin/python" "$here/compare.py" "${args[@]}"
