"""Character sets: which encoding a text file's bytes are in."""

from __future__ import annotations

import re


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), else cp1251, cp1252 or latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if head[1::2].count(0) > 0.4 * len(head[1::2]):
        return "utf-16-le"
    if head[0::2].count(0) > 0.4 * len(head[0::2]):
        return "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    high = re.findall(rb"[\x80-\xff]+", data[:1_000_000])
    if high and sum(len(run) >= 3 for run in high) > 0.5 * len(high):
        return "cp1251"
    if re.search(rb"[\x81\x8d\x8f\x90\x9d]", data[:1_000_000]):
        return "latin-1"
    return "cp1252"
