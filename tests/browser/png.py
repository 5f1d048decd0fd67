"""Just enough PNG decoding to look at a screenshot's pixels (8-bit RGB/RGBA, no interlace)."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def decode(data: bytes, max_rows: int | None = None) -> np.ndarray:
    """(rows, width, channels) uint8 of the first ``max_rows`` rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and color in (2, 6), (depth, color, interlace)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    rows = height if max_rows is None else min(height, max_rows)
    stride = width * channels
    out = np.zeros((rows, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(rows):
        f = raw[y * (stride + 1)]
        line = np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int64)
        if f == 0:
            cur = line
        elif f == 1:  # Sub: running sum per channel
            cur = np.cumsum(line.reshape(width, channels), axis=0).reshape(stride) % 256
        elif f == 2:
            cur = (line + prev) % 256
        else:
            cur = np.zeros(stride, dtype=np.int64)
            lst, pv = line.tolist(), prev.tolist()
            cl = [0] * stride
            for i in range(stride):
                a = cl[i - channels] if i >= channels else 0
                c = pv[i - channels] if i >= channels else 0
                pred = (a + pv[i]) // 2 if f == 3 else _paeth(a, pv[i], c)
                cl[i] = (lst[i] + pred) % 256
            cur = np.array(cl, dtype=np.int64)
        out[y] = cur
        prev = cur
    return out.reshape(rows, width, channels)
