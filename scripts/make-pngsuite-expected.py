#!/usr/bin/env python3
"""Computes what SonoQC must decode from every PngSuite file: Tests/SonoCodecsTests/Fixtures/pngsuite-expected.csv.

PngSuite (Willem van Schaik, 2011 edition, freeware: see Fixtures/pngsuite/LICENSE) is committed in
Tests/SonoCodecsTests/Fixtures/pngsuite. For every valid file this script decodes the STORED samples
itself (zlib + NumPy: chunk walk, inflate, unfilter, Adam7), checks them against Pillow's decoding
(Pillow, like OpenCV, ignores gAMA/cHRM/sRGB/iCCP), then reduces them to grey exactly as SonoQC does
(Sources/SonoCodecs/PNGCodec.swift, Sources/SonoCore/Luminance.swift):

- grey below 8 bits scaled to 8 bits (v * 255 / max); palette expanded through PLTE;
- tRNS becomes alpha (0 for the transparent grey/RGB value, the tRNS entry for a palette index);
- colour -> BT.601 luma in 16.16 fixed point: (19595 r + 38470 g + 7471 b + 32768) >> 16, on 8-bit
  or on 16-bit samples;
- alpha: the luma is composited onto black, (y a + 127) // 255 at 8 bits, (y a + 32767) // 65535 at 16;
- 16-bit: those 16-bit values are kept (Frame.image16) and narrowed to 8 bits by (v 255 + 32767) // 65535.

The CSV gives per file: size, stored bit depth, whether it is colour, the colour-management chunks it
carries, the FNV-1a 64-bit hash and the mean of the 8-bit grey bytes, and for 16-bit files the hash of
the 16-bit grey samples (big-endian bytes). Hashes, not the samples, keep the CSV small; FNV-1a is used
because it is five lines in both Python and the Swift test. For each x* (corrupt) file it gives the
error kind SonoQC must report, found by this script's own checks and cross-checked against what the
PngSuite file name says is wrong.

Run: python3 scripts/make-pngsuite-expected.py   (needs Pillow and NumPy from PyPI)
"""
import csv
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SonoCodecsTests", "Fixtures")
SUITE = os.path.join(ROOT, "pngsuite")
OUT = os.path.join(ROOT, "pngsuite-expected.csv")

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_CHUNKS = {b"gAMA", b"cHRM", b"sRGB", b"iCCP"}
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

# What each corrupt PngSuite file is documented to exercise (PngSuite's own naming), so that this
# script's checks are themselves checked.
DOCUMENTED = {"xs": "bad-signature", "xcr": "bad-signature", "xlf": "bad-signature", "xc1": "bad-header",
              "xc9": "bad-header", "xd0": "bad-header", "xd3": "bad-header", "xd9": "bad-header",
              "xcs": "bad-checksum", "xhd": "bad-checksum", "xdt": "missing-image-data"}


class Corrupt(Exception):
    def __init__(self, kind, reason):
        super().__init__(f"{kind}: {reason}")
        self.kind = kind


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def read_chunks(data):
    if data[:8] != SIGNATURE:
        raise Corrupt("bad-signature", data[:8].hex())
    offset, chunks = 8, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
            raise Corrupt("bad-checksum", kind.decode())
        chunks.append((kind, body))
        offset += 12 + length
        if kind == b"IEND":
            break
    return chunks


def unfilter(raw, width, height, bits_per_pixel):
    """Undoes the per-row filters of one (sub)image; returns rows of bytes and the bytes consumed."""
    stride = (width * bits_per_pixel + 7) // 8
    bpp = max(1, bits_per_pixel // 8)
    rows, prev, pos = [], bytearray(stride), 0
    for _ in range(height):
        ftype, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            elif ftype != 0:
                raise ValueError(f"filter type {ftype}")
        rows.append(bytes(line))
        prev = line
    return rows, pos


def samples(rows, width, channels, depth):
    """Rows of bytes -> (height, width, channels) array of integer samples at the stored depth."""
    out = []
    for row in rows:
        if depth == 16:
            v = np.frombuffer(row, dtype=">u2").astype(np.int64)
        elif depth == 8:
            v = np.frombuffer(row, dtype=np.uint8).astype(np.int64)
        else:
            bits = np.unpackbits(np.frombuffer(row, dtype=np.uint8)).reshape(-1, depth)
            v = bits.dot(1 << np.arange(depth - 1, -1, -1)).astype(np.int64)
        out.append(v[:width * channels].reshape(width, channels))
    return np.stack(out)


def decode(data):
    """The stored samples of a PNG: (array h×w×channels, IHDR fields, palette, tRNS, colour chunks)."""
    chunks = read_chunks(data)
    if not chunks or chunks[0][0] != b"IHDR":
        raise Corrupt("corrupt", "first chunk is not IHDR")
    width, height, depth, ctype, comp, filt, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if width == 0 or height == 0 or ctype not in DEPTHS or depth not in DEPTHS[ctype] or comp or filt or interlace > 1:
        raise Corrupt("bad-header", f"{width}x{height} depth {depth} type {ctype}")
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    if not idat:
        raise Corrupt("missing-image-data", "no IDAT")
    palette = next((np.frombuffer(b, np.uint8).reshape(-1, 3).astype(np.int64) for k, b in chunks if k == b"PLTE"), None)
    trns = next((b for k, b in chunks if k == b"tRNS"), None)
    colour = [k.decode() for k, _ in chunks if k in COLOUR_CHUNKS]
    raw = zlib.decompress(idat)
    ch = CHANNELS[ctype]
    if not interlace:
        rows, _ = unfilter(raw, width, height, depth * ch)
        pixels = samples(rows, width, ch, depth)
    else:
        pixels = np.zeros((height, width, ch), dtype=np.int64)
        pos = 0
        for x0, y0, dx, dy in ADAM7:
            pw, ph = len(range(x0, width, dx)), len(range(y0, height, dy))
            if pw == 0 or ph == 0:
                continue
            rows, used = unfilter(raw[pos:], pw, ph, depth * ch)
            pos += used
            pixels[y0::dy, x0::dx] = samples(rows, pw, ch, depth)
    return pixels, (width, height, depth, ctype), palette, trns, list(dict.fromkeys(colour))


def expand(pixels, header, palette, trns):
    """Stored samples -> (values h×w×{1,3}, alpha h×w or None, max value) as libpng's expansions give them."""
    _, _, depth, ctype = header
    alpha = None
    if ctype == 3:
        idx = pixels[..., 0]
        values = palette[idx]
        if trns is not None:
            table = np.full(256, 255, dtype=np.int64)
            table[:len(trns)] = np.frombuffer(trns, np.uint8)
            alpha = table[idx]
        return values, alpha, 255
    top = (1 << depth) - 1 if depth == 16 else 255
    values = pixels[..., :3] if ctype in (2, 6) else pixels[..., :1]
    if ctype in (4, 6):
        alpha = pixels[..., -1]
    elif trns is not None:
        key = np.array(struct.unpack(">3H" if ctype == 2 else ">H", trns), dtype=np.int64)
        alpha = np.where((pixels == key).all(axis=-1), 0, top)
    if depth < 8:
        values = values * 255 // ((1 << depth) - 1)
    return values, alpha, top


def grey(values, alpha, top):
    if values.shape[-1] == 3:
        y = (values[..., 0] * 19595 + values[..., 1] * 38470 + values[..., 2] * 7471 + 32768) >> 16
    else:
        y = values[..., 0]
    if alpha is not None:
        y = (y * alpha + top // 2) // top
    return y


def check_against_pillow(path, pixels, header, palette, trns):
    """Pillow must see the same stored samples (it gives only the high byte of 16-bit colour)."""
    _, _, depth, ctype = header
    with Image.open(path) as im:
        im.load()
        if ctype == 3:
            got = np.array(im.convert("RGBA")).astype(np.int64)
            values, alpha, _ = expand(pixels, header, palette, trns)
            want = np.dstack([values, alpha if alpha is not None else np.full(values.shape[:2], 255)])
        elif depth == 16 and ctype == 0:
            got = np.array(im).astype(np.int64)
            want = pixels[..., 0]
        else:
            got = np.array(im).astype(np.int64)
            if ctype == 4 and im.mode == "RGBA":  # Pillow widens 16-bit grey+alpha to RGBA
                got = got[..., [0, 3]]
            want = pixels >> 8 if depth == 16 else pixels
            if depth < 8:
                want = want[..., 0] * (255 // ((1 << depth) - 1))
            if want.ndim == 3 and want.shape[-1] == 1:
                want = want[..., 0]
            if got.dtype == bool or im.mode == "1":
                got = got * 255
    if got.shape != want.shape or not np.array_equal(got, want):
        raise SystemExit(f"{os.path.basename(path)}: Pillow ({im.mode}) disagrees with this script's stored samples")


def main():
    names = sorted(n for n in os.listdir(SUITE) if n.endswith(".png"))
    rows = []
    for name in names:
        path = os.path.join(SUITE, name)
        data = open(path, "rb").read()
        row = {"file": name, "width": "", "height": "", "bit_depth": "", "colour": "", "colour_chunks": "",
               "grey_fnv1a64": "", "grey_mean": "", "grey16_fnv1a64": "", "error": ""}
        try:
            pixels, header, palette, trns, colour = decode(data)
        except Corrupt as e:
            documented = next(v for k, v in DOCUMENTED.items() if name.startswith(k))
            if not name.startswith("x") or e.kind != documented:
                raise SystemExit(f"{name}: found {e.kind}, PngSuite documents {documented}")
            row["error"] = e.kind
            rows.append(row)
            continue
        if name.startswith("x"):
            raise SystemExit(f"{name}: corrupt by name but decoded")
        check_against_pillow(path, pixels, header, palette, trns)
        width, height, depth, ctype = header
        values, alpha, top = expand(pixels, header, palette, trns)
        y = grey(values, alpha, top)
        if top == 65535:
            row["grey16_fnv1a64"] = fnv1a64(y.astype(">u2").tobytes())
            y = (y * 255 + 32767) // 65535
        y8 = y.astype(np.uint8)
        row.update(width=width, height=height, bit_depth=depth, colour=str(ctype & 2 != 0).lower(),
                   colour_chunks=" ".join(colour), grey_fnv1a64=fnv1a64(y8.tobytes()),
                   grey_mean=f"{y8.mean():.6f}")
        rows.append(row)
    with open(OUT, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    valid = sum(1 for r in rows if not r["error"])
    print(f"wrote {os.path.normpath(OUT)}: {valid} valid files, {len(rows) - valid} corrupt", file=sys.stderr)


if __name__ == "__main__":
    main()
