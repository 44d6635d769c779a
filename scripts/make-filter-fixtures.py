#!/usr/bin/env python3
"""Generate the SonoFilters cross-check fixtures: small synthetic inputs and what OpenCV
(opencv-python-headless, single-threaded) and plain NumPy reference implementations make of them.

Run from the repository root with a Python that has opencv-python-headless and numpy, e.g.
    Benchmarks/.venv/bin/python scripts/make-filter-fixtures.py
It rewrites Tests/SonoFiltersTests/Fixtures/*.bin and MANIFEST.txt deterministically.

File format (.bin, little-endian): 4-byte magic b"SQF1", uint32 width, uint32 height,
uint32 sample type (1 = uint8, 2 = int16, 3 = float32), then width*height samples row-major.

Inputs are synthetic (a smooth background, a bright elliptical ring, multiplicative gamma
speckle, some clipped black and white): no patient data is committed.
"""
import math
import os
import struct
import sys

import cv2
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SonoFiltersTests", "Fixtures")
TYPE_CODES = {np.uint8: 1, np.int16: 2, np.float32: 3}
GAUSSIAN_SIGMAS = [0.5, 0.8, 1.0, 1.5, 2.0, 3.0]
SRAD_RUNS = [(10, 0.1), (5, 0.25)]
LEE_RADII = [1, 2]


def write(name, array):
    array = np.ascontiguousarray(array)
    code = TYPE_CODES[array.dtype.type]
    h, w = array.shape
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(b"SQF1" + struct.pack("<III", w, h, code))
        f.write(array.astype(array.dtype.newbyteorder("<")).tobytes())


def synthetic(width, height, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = 60 + 50 * (x / max(width - 1, 1)) + 30 * np.sin(y / 3.0)
    cx, cy = width * 0.5, height * 0.5
    r = np.sqrt(((x - cx) / max(width * 0.35, 1)) ** 2 + ((y - cy) / max(height * 0.35, 1)) ** 2)
    ring = 140 * np.exp(-((r - 1.0) ** 2) / 0.02)
    speckle = rng.gamma(4.0, 0.25, size=(height, width))
    img = (base + ring) * speckle
    img[rng.random((height, width)) < 0.03] = 0
    img[rng.random((height, width)) < 0.03] = 255
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def speckle_scale_squared(J):
    """q0^2: lower median of var/mean^2 over 16x16 tiles with positive mean (whole image if smaller)."""
    h, w = J.shape
    tw, th = min(16, w), min(16, h)
    values = []
    for ty in range(0, h - th + 1, th):
        for tx in range(0, w - tw + 1, tw):
            t = J[ty:ty + th, tx:tx + tw].astype(np.float64)
            mean = t.mean()
            if mean > 0:
                var = max((t * t).mean() - mean * mean, 0.0)
                values.append(var / (mean * mean))
    if not values:
        return None
    values.sort()
    return max(values[(len(values) - 1) // 2], 1e-6)


def srad_numpy(image, iterations, time_step):
    """Yu & Acton 2002 SRAD, written straight from the paper's discrete equations (float64)."""
    J = image.astype(np.float64)
    for _ in range(iterations):
        q0 = speckle_scale_squared(J)
        if q0 is None:
            break
        P = np.pad(J, 1, mode="edge")  # zero flux across the border
        dN = P[:-2, 1:-1] - J
        dS = P[2:, 1:-1] - J
        dW = P[1:-1, :-2] - J
        dE = P[1:-1, 2:] - J
        jj = np.maximum(J, 1e-6)
        g2 = (dN ** 2 + dS ** 2 + dW ** 2 + dE ** 2) / (jj * jj)
        lap = (dN + dS + dW + dE) / jj
        with np.errstate(divide="ignore", invalid="ignore"):
            q2 = (0.5 * g2 - lap * lap / 16.0) / (1.0 + 0.25 * lap) ** 2
            c = 1.0 / (1.0 + (q2 - q0) / (q0 * (1.0 + q0)))
        c = np.where(c > 0, np.minimum(c, 1.0), 0.0)
        cS = np.vstack([c[1:], c[-1:]])
        cE = np.hstack([c[:, 1:], c[:, -1:]])
        J = J + 0.25 * time_step * (cS * dS + c * dN + cE * dE + c * dW)
    return J


def lee_numpy(image, radius, cu2=None):
    J = image.astype(np.float64)
    if cu2 is None:
        cu2 = speckle_scale_squared(J)
    k = 2 * radius + 1
    mean = cv2.blur(J, (k, k), borderType=cv2.BORDER_REFLECT_101)
    mean_sq = cv2.blur(J * J, (k, k), borderType=cv2.BORDER_REFLECT_101)
    var = np.maximum(mean_sq - mean * mean, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = 1 - cu2 / (var / (mean * mean))
    gain = np.where(gain > 0, np.minimum(gain, 1), 0)
    return mean + gain * (J - mean)


def main():
    cv2.setNumThreads(1)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".bin"):
            os.remove(os.path.join(OUT, f))
    inputs = {
        "s37x23": synthetic(37, 23, 4001),
        "s64x41": synthetic(64, 41, 4002),
        "s1x9": synthetic(1, 9, 4003),
        "s9x1": synthetic(9, 1, 4004),
    }
    lines = [f"opencv {cv2.__version__} numpy {np.__version__}"]
    for name, img in inputs.items():
        write(f"{name}_input", img)
        write(f"{name}_median3", cv2.medianBlur(img, 3))
        write(f"{name}_median5", cv2.medianBlur(img, 5))
        for sigma in GAUSSIAN_SIGMAS:
            k = 2 * math.ceil(3 * sigma) + 1
            out = cv2.GaussianBlur(img, (k, k), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)
            write(f"{name}_gauss_s{sigma:g}", out)
        k = 2 * math.ceil(3 * 1.5) + 1
        fl = img.astype(np.float32)
        write(f"{name}_gaussf_s1.5", cv2.GaussianBlur(fl, (k, k), sigmaX=1.5, sigmaY=1.5, borderType=cv2.BORDER_REFLECT_101))
        for kind, fn in (("sobel", lambda a, dx, dy: cv2.Sobel(a, cv2.CV_16S, dx, dy, ksize=3, borderType=cv2.BORDER_REFLECT_101)),
                         ("scharr", lambda a, dx, dy: cv2.Scharr(a, cv2.CV_16S, dx, dy, borderType=cv2.BORDER_REFLECT_101))):
            write(f"{name}_{kind}_dx", fn(img, 1, 0))
            write(f"{name}_{kind}_dy", fn(img, 0, 1))
        write(f"{name}_sobelf_dx", cv2.Sobel(fl, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101))
        write(f"{name}_sobelf_dy", cv2.Sobel(fl, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101))
        write(f"{name}_pyrdown", cv2.pyrDown(img, borderType=cv2.BORDER_REFLECT_101))
        write(f"{name}_box_r2", cv2.blur(img, (5, 5), borderType=cv2.BORDER_REFLECT_101))
        h2, w2 = img.shape[0] // 2 * 2, img.shape[1] // 2 * 2
        if h2 > 0 and w2 > 0:
            write(f"{name}_areacrop", img[:h2, :w2])
            write(f"{name}_area", cv2.resize(img[:h2, :w2], (w2 // 2, h2 // 2), interpolation=cv2.INTER_AREA))
        if img.shape[0] >= 16 and img.shape[1] >= 16:
            for iterations, dt in SRAD_RUNS:
                write(f"{name}_srad_i{iterations}_dt{dt:g}", srad_numpy(img, iterations, dt).astype(np.float32))
            for radius in LEE_RADII:
                write(f"{name}_lee_r{radius}", lee_numpy(img, radius).astype(np.float32))
        lines.append(f"{name} {img.shape[1]}x{img.shape[0]}")
    with open(os.path.join(OUT, "MANIFEST.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote fixtures to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
