#!/usr/bin/env python3
"""Generates the codec fixture set in Tests/SonoCodecsTests/Fixtures.

PNGs come from a small encoder written here with zlib (independent of libpng, and able to write
every colour type, bit depth, tRNS and Adam7 interlacing); JPEGs from Pillow and libjpeg-turbo's
`cjpeg` (for restart markers). For every decodable fixture the expected 8-bit grey pixels are
computed here from the source values with SonoQC's documented rules (BT.601 luma in 16.16 fixed
point, alpha composited onto black, 16-bit narrowed by v*255/65535 rounded) and written as raw
bytes beside the fixture; `fixtures.json` lists each file with its expectation or expected error.

Run: python3 scripts/make-codec-fixtures.py   (needs Pillow and cjpeg from libjpeg-turbo-progs)
"""
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SonoCodecsTests", "Fixtures")
W, H = 13, 7  # odd sizes on purpose: no row or pass is a multiple of anything convenient

manifest = []


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, bit_depth):
    """Packs one row of integer samples (already interleaved channels) at the given bit depth."""
    if bit_depth == 8:
        return bytes(samples)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    out, acc, nbits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << bit_depth) | s
        nbits += bit_depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def encode_png(pixels, width, height, colour_type, bit_depth, channels, interlace=False, palette=None,
               trns=None, phys=None):
    """pixels: list of rows, each a list of per-pixel tuples of `channels` integers."""
    raw = bytearray()
    if not interlace:
        for row in pixels:
            raw.append(0)
            raw += pack_row([c for px in row for c in px], bit_depth)
    else:
        for x0, y0, dx, dy in ADAM7:
            xs = list(range(x0, width, dx))
            if not xs:
                continue
            for y in range(y0, height, dy):
                raw.append(0)
                raw += pack_row([c for x in xs for c in pixels[y][x]], bit_depth)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 1 if interlace else 0))
    if phys:
        png += chunk(b"pHYs", struct.pack(">IIB", phys[0], phys[0], phys[1]))
    if palette:
        png += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    return png


def luma(r, g, b):
    return (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16


def luma16(r, g, b):
    return (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16


def narrow(v):
    return (v * 255 + 32767) // 65535


def composite(y, a):
    return (y * a + 127) // 255


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def add_decodable(name, data, expected, tolerance=0, bit_depth=8, colour=False, spacing_mm=None, **extra):
    write(name, data)
    write(name + ".gray", bytes(expected))
    entry = {"file": name, "expected": name + ".gray", "width": W, "height": H, "tolerance": tolerance,
             "bit_depth": bit_depth, "colour": colour, "spacing_mm": spacing_mm}
    entry.update(extra)
    manifest.append(entry)


def add_error(name, data, kind, note):
    write(name, data)
    manifest.append({"file": name, "error": kind, "note": note})


def value(x, y, levels):
    # A pattern that visits every level and differs between neighbours.
    return (x * 7 + y * 5 + x * y) % levels


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)

    # Grey at every bit depth, plain and interlaced.
    for depth in (1, 2, 4, 8, 16):
        levels = 1 << depth
        maxv = levels - 1
        px = [[(value(x, y, levels) if depth < 16 else (value(x, y, 251) * 261 + 17)) for x in range(W)] for y in range(H)]
        if depth < 16:
            expected = [px[y][x] * 255 // maxv for y in range(H) for x in range(W)]
        else:
            expected = [narrow(px[y][x]) for y in range(H) for x in range(W)]
        rows = [[(v,) for v in row] for row in px]
        for interlace in (False, True):
            suffix = "-adam7" if interlace else ""
            add_decodable(f"gray{depth}{suffix}.png", encode_png(rows, W, H, 0, depth, 1, interlace), expected,
                          bit_depth=depth, raw16=[v for r in px for v in r] if depth == 16 else None)

    # Grey with tRNS: one grey level is transparent → composited onto black.
    px = [[value(x, y, 256) for x in range(W)] for y in range(H)]
    transparent = px[3][4]
    expected = [0 if px[y][x] == transparent else px[y][x] for y in range(H) for x in range(W)]
    add_decodable("gray8-trns.png", encode_png([[(v,) for v in r] for r in px], W, H, 0, 8, 1,
                                               trns=struct.pack(">H", transparent)), expected)

    # Grey + alpha, 8 and 16 bit.
    ga = [[(value(x, y, 256), (x * 37 + y * 11) % 256) for x in range(W)] for y in range(H)]
    add_decodable("gray-alpha8.png", encode_png(ga, W, H, 4, 8, 2),
                  [composite(g, a) for r in ga for g, a in r])
    ga16 = [[(g * 257, a * 257) for g, a in r] for r in ga]
    add_decodable("gray-alpha16.png", encode_png(ga16, W, H, 4, 16, 2),
                  [narrow(g * a // 65535) for r in ga16 for g, a in r], tolerance=1, bit_depth=16)

    # RGB and RGBA, 8 and 16 bit, plain and interlaced.
    rgb = [[((x * 19) % 256, (y * 37) % 256, (x * y * 13) % 256) for x in range(W)] for y in range(H)]
    exp_rgb = [luma(*p) for r in rgb for p in r]
    add_decodable("rgb8.png", encode_png(rgb, W, H, 2, 8, 3), exp_rgb, colour=True)
    add_decodable("rgb8-adam7.png", encode_png(rgb, W, H, 2, 8, 3, interlace=True), exp_rgb, colour=True)
    rgb16 = [[tuple(c * 257 + 3 for c in p) for p in r] for r in rgb]
    add_decodable("rgb16.png", encode_png(rgb16, W, H, 2, 16, 3),
                  [narrow(luma16(*p)) for r in rgb16 for p in r], tolerance=1, bit_depth=16, colour=True)
    rgba = [[p + ((x * 41 + y * 3) % 256,) for x, p in enumerate(r)] for y, r in enumerate(rgb)]
    add_decodable("rgba8.png", encode_png(rgba, W, H, 6, 8, 4),
                  [composite(luma(*p[:3]), p[3]) for r in rgba for p in r], colour=True)
    rgba16 = [[tuple(c * 257 for c in p) for p in r] for r in rgba]
    add_decodable("rgba16.png", encode_png(rgba16, W, H, 6, 16, 4),
                  [narrow(luma16(*(c * p[3] // 65535 for c in p[:3]))) for r in rgba16 for p in r],
                  tolerance=1, bit_depth=16, colour=True)

    # Palette at 1, 2, 4 and 8 bits, without and with tRNS.
    for depth in (1, 2, 4, 8):
        n = 1 << depth
        pal = [((i * 53) % 256, (i * 97 + 40) % 256, (i * 151 + 7) % 256) for i in range(n)]
        idx = [[value(x, y, n) for x in range(W)] for y in range(H)]
        rows = [[(i,) for i in r] for r in idx]
        add_decodable(f"palette{depth}.png", encode_png(rows, W, H, 3, depth, 1, palette=pal),
                      [luma(*pal[i]) for r in idx for i in r], bit_depth=depth, colour=True)
        alphas = [(i * 89) % 256 for i in range(n)]
        alphas[0] = 0
        add_decodable(f"palette{depth}-trns.png",
                      encode_png(rows, W, H, 3, depth, 1, palette=pal, trns=bytes(alphas)),
                      [composite(luma(*pal[i]), alphas[i]) for r in idx for i in r], bit_depth=depth, colour=True)

    # pHYs: in metres (5000 px/m = 0.2 mm/px) is a calibration; unit "unknown" is not.
    grey = [[(value(x, y, 256),) for x in range(W)] for y in range(H)]
    exp_grey = [p[0] for r in grey for p in r]
    add_decodable("phys-metre.png", encode_png(grey, W, H, 0, 8, 1, phys=(5000, 1)), exp_grey, spacing_mm=0.2)
    add_decodable("phys-unknown-unit.png", encode_png(grey, W, H, 0, 8, 1, phys=(5000, 0)), exp_grey)
    # The extension lies: format comes from magic bytes.
    add_decodable("png-named-as.jpg", encode_png(grey, W, H, 0, 8, 1), exp_grey)

    # JPEGs: lossy, so they are checked against the source with a tolerance (mean absolute error).
    gray_img = Image.new("L", (W * 4, H * 4))
    gray_img.putdata([((x * 5 + y * 3) % 200 + 20) for y in range(H * 4) for x in range(W * 4)])
    rgb_img = Image.new("RGB", (W * 4, H * 4))
    rgb_img.putdata([((x * 6) % 230 + 10, (y * 8) % 230 + 10, ((x + y) * 3) % 230 + 10)
                     for y in range(H * 4) for x in range(W * 4)])
    jw, jh = W * 4, H * 4

    def add_jpeg(name, data, source_grey, tolerance_mae, colour, progressive=False, restart=False, spacing_mm=None):
        write(name, data)
        write(name + ".gray", bytes(source_grey))
        manifest.append({"file": name, "expected": name + ".gray", "width": jw, "height": jh,
                         "mean_abs_tolerance": tolerance_mae, "bit_depth": 8, "colour": colour,
                         "progressive": progressive, "restart": restart, "spacing_mm": spacing_mm})

    src_grey = list(gray_img.tobytes())
    rgb_bytes = rgb_img.tobytes()
    src_luma = [luma(*rgb_bytes[i:i + 3]) for i in range(0, len(rgb_bytes), 3)]

    def pil_jpeg(img, **kw):
        b = io.BytesIO()
        img.save(b, "JPEG", quality=95, **kw)
        return b.getvalue()

    add_jpeg("gray-baseline.jpg", pil_jpeg(gray_img), src_grey, 2.0, False)
    add_jpeg("ycbcr-baseline.jpg", pil_jpeg(rgb_img, subsampling=0), src_luma, 2.0, True)
    add_jpeg("ycbcr-420.jpg", pil_jpeg(rgb_img, subsampling=2), src_luma, 2.5, True)
    add_jpeg("gray-progressive.jpg", pil_jpeg(gray_img, progressive=True), src_grey, 2.0, False, progressive=True)
    add_jpeg("ycbcr-progressive.jpg", pil_jpeg(rgb_img, progressive=True, subsampling=0), src_luma, 2.0, True,
             progressive=True)
    with tempfile.TemporaryDirectory() as tmp:
        ppm = os.path.join(tmp, "in.ppm")
        rgb_img.save(ppm)
        restart = subprocess.run(["cjpeg", "-quality", "95", "-restart", "1", ppm], check=True,
                                 capture_output=True).stdout
    add_jpeg("ycbcr-restart.jpg", restart, src_luma, 2.5, True, restart=True)
    # JFIF density in dots per cm: patch the APP0 header Pillow wrote (units 2, 50 dots/cm = 0.2 mm/px).
    dense = bytearray(pil_jpeg(gray_img))
    assert dense[6:11] == b"JFIF\x00"
    dense[13] = 2
    dense[14:18] = struct.pack(">HH", 50, 50)
    add_jpeg("density-dpcm.jpg", bytes(dense), src_grey, 2.0, False, spacing_mm=0.2)

    # Hostile and broken files: each must give its own error, never a crash or a half image.
    good = encode_png(grey, W, H, 0, 8, 1, phys=(5000, 1))
    idat = good.index(b"IDAT") - 4
    for cut, what in ((4, "inside the signature"), (20, "inside IHDR"), (idat + 10, "inside IDAT"),
                      (len(good) - 6, "inside IEND")):
        kind = "unsupported-format" if cut < 8 else "truncated"
        add_error(f"truncated-at-{cut}.png", good[:cut], kind, f"cut {what}")
    bad = bytearray(good)
    bad[29] ^= 0xFF  # IHDR CRC
    add_error("bad-crc-ihdr.png", bytes(bad), "bad-checksum", "IHDR CRC flipped")
    bad = bytearray(good)
    bad[33 + 8 + 9] ^= 0xFF  # pHYs CRC: libpng would only warn
    add_error("bad-crc-phys.png", bytes(bad), "bad-checksum", "ancillary pHYs CRC flipped")
    bad = bytearray(good)
    end_idat = idat + 8 + struct.unpack(">I", good[idat:idat + 4])[0]
    bad[end_idat] ^= 0xFF  # IDAT CRC
    add_error("bad-crc-idat.png", bytes(bad), "bad-checksum", "IDAT CRC flipped")
    add_error("garbage-after-header.png", good[:33] + bytes((i * 73 + 11) % 256 for i in range(200)),
              "corrupt", "valid signature and IHDR, then noise")
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
    huge += chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b"")
    add_error("huge-declared-size.png", huge, "too-large", "IHDR declares 100000×100000")
    add_error("empty.png", b"", "unsupported-format", "zero bytes")
    jpeg = pil_jpeg(gray_img)
    add_error("truncated.jpg", jpeg[: len(jpeg) * 2 // 3], "truncated", "cut two thirds into the scan")
    add_error("garbage-after-soi.jpg", jpeg[:2] + b"\xff" + bytes((i * 91 + 5) % 256 for i in range(300)),
              "corrupt", "SOI marker then noise")
    huge_jpeg = bytearray(jpeg)
    sof = huge_jpeg.index(b"\xff\xc0")
    huge_jpeg[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)
    add_error("huge-declared-size.jpg", bytes(huge_jpeg), "too-large", "SOF declares 60000×60000")
    bmp = io.BytesIO()
    gray_img.save(bmp, "BMP")
    add_error("image.bmp.png", bmp.getvalue(), "unsupported-format", "a BMP named .png")
    tiff = io.BytesIO()
    gray_img.save(tiff, "TIFF")
    add_error("image.tif", tiff.getvalue(), "unsupported-format", "TIFF")
    add_error("notes.png", b"scan 12: operator forgot the image\n", "unsupported-format", "text named .png")

    with open(os.path.join(OUT, "fixtures.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(manifest)} fixtures to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
