#!/usr/bin/env python3
"""scripts/make-icons.py - the web app's icons (nginx/www/icons/*.png).

Draws the eHazira mark - a white tick on the app's blue, in a rounded
square (or full-bleed for the "maskable" icon, whose safe zone is the
middle 80 %) - with 4x4 supersampling and writes plain RGBA PNGs with the
standard library only.  The PNGs are committed; run this again only to
change the design:  scripts/make-icons.py nginx/www/icons
"""
import math
import struct
import sys
import zlib

BLUE = (0x1F, 0x5F, 0x8B)
WHITE = (0xFF, 0xFF, 0xFF)
SS = 4  # samples per pixel edge


def seg_dist(px, py, ax, ay, bx, by):
    """Distance from (px, py) to the segment (ax, ay)-(bx, by)."""
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def inside_rounded(x, y, r):
    """Unit square with corner radius r."""
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    return math.hypot(x - cx, y - cy) <= r


def sample(x, y, maskable):
    """The colour at (x, y) in the unit square, or None (transparent)."""
    if not maskable and not inside_rounded(x, y, 0.18):
        return None
    # the tick, scaled into the safe zone for the maskable icon
    s = 0.8 if maskable else 1.0
    u, v = (x - 0.5) / s + 0.5, (y - 0.5) / s + 0.5
    w = 0.075
    if (seg_dist(u, v, 0.26, 0.52, 0.43, 0.69) <= w or
            seg_dist(u, v, 0.43, 0.69, 0.75, 0.33) <= w):
        return WHITE
    return BLUE


def render(size, maskable):
    rows = []
    for j in range(size):
        row = bytearray([0])  # filter: none
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(SS):
                for si in range(SS):
                    c = sample((i + (si + 0.5) / SS) / size,
                               (j + (sj + 0.5) / SS) / size, maskable)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 255
            n = SS * SS
            a = acc[3] // n
            if a:
                k = acc[3] // 255
                row += bytes([acc[0] // k, acc[1] // k, acc[2] // k, a])
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, data):
    def chunk(tag, body):
        return (struct.pack(">I", len(body)) + tag + body +
                struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF))
    head = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) +
            chunk(b"IDAT", zlib.compress(data, 9)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "nginx/www/icons"
    for name, size, maskable in (("icon-192.png", 192, False),
                                 ("icon-512.png", 512, False),
                                 ("maskable-512.png", 512, True),
                                 ("apple-touch-icon.png", 180, True)):
        with open(f"{out}/{name}", "wb") as f:
            f.write(png(size, render(size, maskable)))


if __name__ == "__main__":
    main()
