#!/usr/bin/env python3
"""End-to-end peer comparison: `sonoqc analyze` (full and --no-html) beside OpenCV's decode-only
loop and its bare filter chain (decode -> median 5 -> Gaussian -> Sobel -> histogram) on the same
frames, in one run. Usage (normally through e2e.sh):

    e2e.py --sonoqc PATH --frames DIR [--jobs N] [--rounds N] [--json FILE] [--baseline-sonoqc PATH]

DIR holds one sub-directory per scan with one frame each (what e2e.sh prepares), so sonoqc
reports every frame as its own scan, as a scanner export of single frames would be.
Rounds are interleaved (every contender once per round, so machine noise hits all of them);
each contender's best and median rounds are reported. OpenCV runs in a pool of --jobs processes, each
single-threaded, the same parallelism sonoqc gets from --jobs. --baseline-sonoqc adds another
build (e.g. the previous commit's) as two more contenders in the same rounds, so a change's speed-up
is measured side by side rather than against a number from another day. Each sonoqc run's CPU time
(user + system, from the kernel's accounting of the finished child) is printed as well: on a shared
machine the least CPU over many rounds resolves a few per cent where wall time cannot.
"""
import argparse
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np


def _init_worker():
    cv2.setNumThreads(1)


def decode_only(path):
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    return int(img[0, 0])


def filter_chain(path):
    img = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    img = cv2.medianBlur(img, 5)
    img = cv2.GaussianBlur(img, (7, 7), sigmaX=1.0, sigmaY=1.0, borderType=cv2.BORDER_REFLECT_101)
    dx = cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3)
    dy = cv2.Sobel(img, cv2.CV_16S, 0, 1, ksize=3)
    hist = cv2.calcHist([img], [0], None, [256], [0, 256])
    return int(dx[0, 0]) + int(dy[0, 0]) + int(np.asarray(hist).ravel()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sonoqc", required=True)
    ap.add_argument("--frames", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--baseline-sonoqc")
    args = ap.parse_args()

    files = sorted(os.path.join(root, f) for root, _, names in os.walk(args.frames) for f in names if f.endswith(".png"))
    if not files:
        sys.exit(f"no frames under {args.frames}")
    n = len(files)
    out_root = tempfile.mkdtemp(prefix="sonoqc-e2e-")
    pool = multiprocessing.Pool(args.jobs, initializer=_init_worker)
    pool.map(decode_only, files[: args.jobs])  # start the workers outside the timing

    def opencv(fn):
        def run():
            pool.map(fn, files, chunksize=4)
        return run

    def children_cpu():
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    # Every run writes into a folder of its own, and all are deleted after the last round. Deleting
    # the previous run's ~1,000 files right before a run made that run pay for them: on an ext4
    # without a journal (this machine's /tmp) a new inode skips those deleted in the last half
    # minute, so `recently_deleted` and `find_inode_bit` took 10 % of a full run's perf samples
    # (perf record -g sonoqc analyze /tmp/fr --out O --jobs 1 right after rm -rf O), a cost of the
    # benchmark's cleanup, not of analysing a batch into a fresh folder.
    runs = itertools.count()

    def sonoqc(*extra, binary=args.sonoqc):
        def run():
            out = os.path.join(out_root, f"run-{next(runs)}")
            subprocess.run([binary, "analyze", args.frames, "--out", out, "--jobs", str(args.jobs), "--quiet", *extra],
                           check=False, stdout=subprocess.DEVNULL)
            if not os.path.exists(os.path.join(out, "summary.json")):
                sys.exit("sonoqc analyze wrote no summary.json")
        return run

    contenders = [
        ("opencv decode-only", opencv(decode_only)),
        ("opencv filter chain", opencv(filter_chain)),
        ("sonoqc analyze", sonoqc()),
        ("sonoqc analyze --no-html", sonoqc("--no-html")),
    ]
    if args.baseline_sonoqc:
        contenders += [
            ("baseline analyze", sonoqc(binary=args.baseline_sonoqc)),
            ("baseline analyze --no-html", sonoqc("--no-html", binary=args.baseline_sonoqc)),
        ]
    times = {name: [] for name, _ in contenders}
    # CPU time of the finished child processes: the pool's workers stay alive, so only a sonoqc
    # run adds to it (the OpenCV contenders' rows stay 0 and are not printed).
    cpu = {name: [] for name, _ in contenders if not name.startswith("opencv")}
    for r in range(args.rounds):
        for name, run in contenders:
            t0, c0 = time.perf_counter(), children_cpu()
            run()
            times[name].append(time.perf_counter() - t0)
            if name in cpu:
                cpu[name].append(children_cpu() - c0)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    pool.close()
    shutil.rmtree(out_root, ignore_errors=True)

    # Best round (least disturbed by the shared machine) and median round (typical), each as a
    # rate and as a ratio to the same statistic of the decode-only ceiling.
    rate = {name: n / min(t) for name, t in times.items()}
    median_rate = {name: n / sorted(t)[len(t) // 2] for name, t in times.items()}
    ceiling, chain = rate["opencv decode-only"], rate["opencv filter chain"]
    median_ceiling = median_rate["opencv decode-only"]
    print(f"{n} frames, {args.jobs} workers, {args.rounds} interleaved rounds (best and median round)")
    print(f"{'contender':28} {'best img/s':>10} {'/ decode-only':>14} {'/ filter chain':>15} {'median img/s':>13} {'/ decode-only':>14}")
    for name, _ in contenders:
        print(f"{name:28} {rate[name]:10.1f} {rate[name] / ceiling:14.3f} {rate[name] / chain:15.3f} "
              f"{median_rate[name]:13.1f} {median_rate[name] / median_ceiling:14.3f}")
    print(f"\n{'sonoqc CPU (user + system)':28} {'least s':>10} {'median s':>10} {'least ms/frame':>15}")
    for name, t in cpu.items():
        print(f"{name:28} {min(t):10.3f} {sorted(t)[len(t) // 2]:10.3f} {1000 * min(t) / n:15.2f}")
    if args.baseline_sonoqc:
        for mode in ("analyze", "analyze --no-html"):
            new, old = cpu["sonoqc " + mode], cpu["baseline " + mode]
            print(f"{mode}: this build's least CPU is {min(new) / min(old):.3f}x the baseline's "
                  f"(medians {sorted(new)[len(new) // 2] / sorted(old)[len(old) // 2]:.3f}x)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"frames": n, "jobs": args.jobs, "rounds": args.rounds, "images_per_second": rate,
                       "ratio_to_decode_only": {k: v / ceiling for k, v in rate.items()},
                       "median_images_per_second": median_rate,
                       "median_ratio_to_decode_only": {k: v / median_ceiling for k, v in median_rate.items()},
                       "seconds_per_round": times, "sonoqc_cpu_seconds_per_round": cpu}, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    main()
