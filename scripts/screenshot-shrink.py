#!/usr/bin/env python3
"""Shrinks a Chromium screenshot to a size budget for the README (docs/images/*.png ≤ 250 KB).

Usage: screenshot-shrink.py IN.png OUT.png MAX_BYTES
Tries full RGB first, then an adaptive 256-colour palette (text stays crisp), then fewer
colours, then a narrower width, and stops at the first result under the budget.
"""
import io
import sys

from PIL import Image


def encode(img, colours):
    """colours 0 keeps full RGB; otherwise an octree palette, which keeps rare colours (a small
    green badge) that median cut merges into grey."""
    buf = io.BytesIO()
    if colours == 0:
        img.save(buf, format="PNG", optimize=True)
    else:
        img.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
            buf, format="PNG", optimize=True)
    return buf.getvalue()


def main():
    src, dst, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
    img = Image.open(src).convert("RGB")
    data = None
    for width in (img.width, int(img.width * 0.8), int(img.width * 0.65), int(img.width * 0.5)):
        scaled = img if width == img.width else img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
        for colours in (0, 256, 128, 64):
            data = encode(scaled, colours)
            if len(data) <= budget:
                open(dst, "wb").write(data)
                return
    open(dst, "wb").write(data)
    sys.exit(f"could not get {src} under {budget} bytes (got {len(data)})")


if __name__ == "__main__":
    main()
