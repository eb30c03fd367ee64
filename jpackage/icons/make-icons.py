#!/usr/bin/env python3
"""Renders portway.svg to every icon the installers need, next to this script:
portway-<size>.png (16..512), portway.png (= 512, what jpackage takes on Linux), portway.ico (Windows),
portway.icns (macOS). Needs rsvg-convert (Debian: librsvg2-bin). The results are committed; run this again
only after changing portway.svg.

.ico and .icns are written here directly: both are a small header and a table of PNG images
(ICO: PNG entries are valid since Windows Vista; ICNS: the PNG-based types icp4..ic14)."""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SVG = os.path.join(HERE, "portway.svg")
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


def render(size):
    return subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), SVG],
                          check=True, capture_output=True).stdout


def ico(pngs):
    sizes = [s for s in (16, 24, 32, 48, 64, 128, 256) if s in pngs]
    out = struct.pack("<HHH", 0, 1, len(sizes))            # reserved, type 1 = icon, count
    offset = 6 + 16 * len(sizes)
    for s in sizes:
        data = pngs[s]
        # width/height 0 means 256; no palette; 1 plane; 32 bits per pixel
        out += struct.pack("<BBBBHHII", s % 256, s % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(pngs[s] for s in sizes)


def icns(pngs):
    types = [(b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256), (b"ic09", 512),
             (b"ic10", 1024), (b"ic11", 32), (b"ic12", 64), (b"ic13", 256), (b"ic14", 512)]
    body = b"".join(t + struct.pack(">I", 8 + len(pngs[s])) + pngs[s] for t, s in types)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main():
    pngs = {s: render(s) for s in SIZES + [1024]}
    for s in SIZES:
        with open(os.path.join(HERE, "portway-%d.png" % s), "wb") as f:
            f.write(pngs[s])
    with open(os.path.join(HERE, "portway.png"), "wb") as f:
        f.write(pngs[512])
    with open(os.path.join(HERE, "portway.ico"), "wb") as f:
        f.write(ico(pngs))
    with open(os.path.join(HERE, "portway.icns"), "wb") as f:
        f.write(icns(pngs))
    print("wrote", ", ".join(sorted(n for n in os.listdir(HERE) if n.startswith("portway") and n != "portway.svg")))


if __name__ == "__main__":
    sys.exit(main())
