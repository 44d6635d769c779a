#!/usr/bin/env python3
"""Peer comparison: time the SonoQC kernels (via the filter-timer executable) and the same
operations in OpenCV (single thread) / NumPy on the same image, in one run, and print the
ratio table. Usage (normally through compare.sh):

    compare.py --timer PATH [--image PNG] [--json FILE] [--min-seconds S]

ratio = SonoQC MP/s / peer MP/s. SRAD and Lee have no OpenCV equivalent: their peer is the
straightforward NumPy implementation in scripts/make-filter-fixtures.py (the one the
fixtures come from), marked "numpy" in the table.
"""
import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import time

import cv2
import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
spec = importlib.util.spec_from_file_location("fixtures", os.path.join(ROOT, "scripts", "make-filter-fixtures.py"))
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

SRAD_ITERATIONS, SRAD_TIME_STEP = 10, 0.1  # must match FilterCases.swift
BORDER = cv2.BORDER_REFLECT_101


def peers(img):
    """kernel name (as in FilterCases.swift) -> (peer label, callable)."""
    f32 = img.astype(np.float32)
    dx = cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3, borderType=BORDER)
    dy = cv2.Sobel(img, cv2.CV_16S, 0, 1, ksize=3, borderType=BORDER)
    h, w = img.shape

    def gauss(sigma, src):
        k = 2 * math.ceil(3 * sigma) + 1
        return lambda: cv2.GaussianBlur(src, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=BORDER)

    def detail(sigma):
        # DetailLayer without a mask: the image minus its normalised-convolution background, + 128.
        k = 2 * math.ceil(3 * sigma) + 1
        ones = np.ones_like(f32)

        def run():
            total = cv2.GaussianBlur(f32, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=BORDER)
            weight = cv2.GaussianBlur(ones, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=BORDER)
            return (np.clip(f32 - total / np.maximum(weight, 1e-3) + 128, 0, 255) + 0.5).astype(np.uint8)
        return run

    return {
        "median3x3": ("opencv", lambda: cv2.medianBlur(img, 3)),
        "median5x5": ("opencv", lambda: cv2.medianBlur(img, 5)),
        "gaussian_u8_s1": ("opencv", gauss(1.0, img)),
        "gaussian_u8_s2": ("opencv", gauss(2.0, img)),
        "gaussian_f32_s1.5": ("opencv", gauss(1.5, f32)),
        "detail_u8_s2": ("opencv", detail(2.0)),
        "box_u8_r2": ("opencv", lambda: cv2.blur(img, (5, 5), borderType=BORDER)),
        "integral_u8": ("opencv", lambda: cv2.integral(img, sdepth=cv2.CV_32S)),
        "downsample_half_u8": ("opencv", lambda: cv2.resize(img, ((w + 1) // 2, (h + 1) // 2), interpolation=cv2.INTER_AREA)),
        "pyrdown_u8": ("opencv", lambda: cv2.pyrDown(img, borderType=BORDER)),
        "sobel_u8": ("opencv", lambda: (cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3, borderType=BORDER),
                                         cv2.Sobel(img, cv2.CV_16S, 0, 1, ksize=3, borderType=BORDER))),
        "scharr_u8": ("opencv", lambda: (cv2.Scharr(img, cv2.CV_16S, 1, 0, borderType=BORDER),
                                          cv2.Scharr(img, cv2.CV_16S, 0, 1, borderType=BORDER))),
        # OpenCV's magnitude needs float input; the conversion is part of the operation.
        "magnitude_s16": ("opencv", lambda: cv2.magnitude(dx.astype(np.float32), dy.astype(np.float32))),
        "histogram_u8": ("opencv", lambda: cv2.calcHist([img], [0], None, [256], [0, 256])),
        "srad_f32_i10": ("numpy", lambda: fixtures.srad_numpy(f32, SRAD_ITERATIONS, SRAD_TIME_STEP)),
        "lee_f32_r2": ("numpy", lambda: fixtures.lee_numpy(f32, 2)),
    }


def time_call(fn, min_seconds):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_seconds and len(times) < 5000):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--timer", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--json")
    parser.add_argument("--min-seconds", type=float, default=0.5)
    args = parser.parse_args()

    cv2.setNumThreads(1)
    img = cv2.imread(args.image, cv2.IMREAD_GRAYSCALE)
    if img is None:
        sys.exit(f"cannot read {args.image}")
    megapixels = img.size / 1e6
    swift = json.loads(subprocess.run([args.timer, "--image", args.image, "--backend", "both",
                                       "--min-seconds", str(args.min_seconds)],
                                      check=True, capture_output=True, text=True).stdout)
    vector = {r["kernel"]: r for r in swift if r["backend"] == "vector"}
    scalar = {r["kernel"]: r for r in swift if r["backend"] == "scalar"}

    rows = []
    for kernel, (label, fn) in peers(img).items():
        if kernel not in vector:
            continue
        peer_mpix = megapixels / time_call(fn, args.min_seconds)
        ours = vector[kernel]["mpix_s"]
        rows.append({
            "kernel": kernel,
            "peer": label,
            "sonoqc_mpix_s": round(ours, 1),
            "opencv_mpix_s": round(peer_mpix, 1),
            "ratio": round(ours / peer_mpix, 2),
            "sonoqc_scalar_mpix_s": round(scalar[kernel]["mpix_s"], 1) if kernel in scalar else None,
            "simd_over_scalar": round(ours / scalar[kernel]["mpix_s"], 1) if kernel in scalar else None,
        })

    print(f"image {args.image} ({img.shape[1]}x{img.shape[0]}), OpenCV {cv2.__version__} single thread, "
          f"NumPy {np.__version__}; MP/s, median of repeated runs")
    print(f"{'kernel':<20} {'peer':<7} {'SonoQC':>9} {'peer':>9} {'ratio':>7} {'scalar':>8} {'SIMD/scalar':>12}")
    for r in rows:
        print(f"{r['kernel']:<20} {r['peer']:<7} {r['sonoqc_mpix_s']:>9.1f} {r['opencv_mpix_s']:>9.1f} "
              f"{r['ratio']:>7.2f} {r['sonoqc_scalar_mpix_s']:>8.1f} {r['simd_over_scalar']:>12.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
