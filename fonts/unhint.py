#!/usr/bin/env python3
"""Removes TrueType hinting from the shipped Laksaman faces (fonttools).

Why: every PDF embeds a subset of each face, compressed anew for each
letter; the hinting programs were 55% of the glyph data, so a subset was
twice the size to compress (a personalised letter rendered 18% faster,
and its PDF is 23% smaller). PDF viewers and printers rasterise the
outlines themselves (poppler's pages are pixel-identical at 80 dpi); the
outlines, metrics and OpenType layout tables are untouched.

Usage (from fonts-tlwg's Laksaman*.ttf): python3 unhint.py IN.ttf OUT.ttf
"""
import sys

from fontTools.ttLib import TTFont

src, dst = sys.argv[1], sys.argv[2]
font = TTFont(src, recalcTimestamp=False)
for table in ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"):
    if table in font:
        del font[table]
for name in font["glyf"].keys():
    font["glyf"][name].removeHinting()
maxp = font["maxp"]
maxp.maxSizeOfInstructions = maxp.maxFunctionDefs = maxp.maxInstructionDefs = 0
maxp.maxStackElements = maxp.maxTwilightPoints = maxp.maxStorage = 0
maxp.maxZones = 1
if "gasp" in font:
    # No grid-fitting left to ask for: smooth at every size.
    font["gasp"].gaspRange = {0xFFFF: 0x000A}
font.save(dst)
