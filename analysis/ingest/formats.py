"""Which format a file really is, decided from its bytes; and the checks made before parsing."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from analysis.errors import InputError
from analysis.ingest.containers import check_workbook, check_xls
from analysis.settings import Limits

FileFormat = Literal["csv", "xlsx", "xls", "ods"]

SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
TEXT_EXTENSIONS = {".csv", ".txt", ".tsv", ".tab", ""}
SUPPORTED_EXTENSIONS = SPREADSHEET_EXTENSIONS | TEXT_EXTENSIONS

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_OTHER_KINDS = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"{\\rtf", "RTF"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "RAR"),
    (b"7z\xbc\xaf", "7-Zip"),
)
_CONTENT = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")
_HTML = re.compile(rb"^\s*(<!doctype html|<html|<table|<\?xml)", re.IGNORECASE)


@dataclass(frozen=True)
class Detected:
    """The format found and, for text, a hint that the bytes are UTF-16."""

    format: FileFormat
    extension: str


def detect_format(data: bytes, name: str, limits: Limits) -> Detected:
    """Decide the format from the content, refusing what cannot or must not be parsed."""
    extension = PurePath(name).suffix.lower()
    if len(data) > limits.max_bytes:
        raise InputError("file_too_large", size_mb=len(data) / 1e6, limit_mb=limits.max_bytes / 1e6)
    if not _CONTENT.search(data):
        raise InputError("empty_file")
    if data.startswith(_ZIP_MAGIC):
        archive, fmt = _zip_format(data, extension, limits)
        check_workbook(data, archive, fmt, extension, limits)
        return Detected(fmt, extension)
    if data.startswith(_OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise InputError("password_protected")
        check_xls(data, extension, limits)
        return Detected("xls", extension)
    for magic, kind in _OTHER_KINDS:
        if data.startswith(magic):
            raise InputError("unsupported_format", kind=kind, extension=extension or "-")
    if _HTML.match(data[:512]):
        raise InputError("html_disguised", extension=extension or "-")
    if _looks_binary(data[:4096]):
        if extension in SPREADSHEET_EXTENSIONS:
            raise InputError("mislabelled_format", extension=extension)
        raise InputError("unsupported_format", kind="binary", extension=extension or "-")
    return Detected("csv", extension)


def _zip_format(data: bytes, extension: str, limits: Limits) -> tuple[zipfile.ZipFile, FileFormat]:
    """The archive and the workbook format it holds. Its declared sizes are a first, free look
    for an honest zip bomb; what the parts truly inflate to is measured next (check_workbook)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InputError("corrupt_workbook", extension=extension or "-") from None
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limits.max_unpack_ratio * len(data) and unpacked > limits.max_unpacked_bytes:
        raise InputError("zip_bomb", unpacked_mb=unpacked / 1e6, size_mb=len(data) / 1e6)
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            raise InputError("unsupported_format", kind="XLSB", extension=extension)
        return archive, "xlsx"
    if "content.xml" in names and "mimetype" in names:
        try:
            mimetype = archive.read("mimetype")[:100]
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError):
            raise InputError("corrupt_workbook", extension=extension or "-") from None
        if b"spreadsheet" in mimetype:
            return archive, "ods"
        raise InputError("unsupported_format", kind="OpenDocument text", extension=extension)
    if "word/document.xml" in names:
        raise InputError("unsupported_format", kind="Word", extension=extension)
    raise InputError("unsupported_format", kind="ZIP", extension=extension or "-")


def _looks_binary(head: bytes) -> bool:
    """NUL bytes mean binary, unless the bytes decode to readable UTF-16 text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    nuls = head.count(b"\x00")
    if nuls == 0:
        return False
    if nuls <= max(2, len(head) // 200) and _mostly_text(head):
        return False  # a text export with a stray NUL in a cell: read, the NUL cleaned away
    head = head[: len(head) // 2 * 2]
    for low, high in ((head[0::2], head[1::2]), (head[1::2], head[0::2])):
        # Spreadsheet text is largely ASCII (digits, delimiters, headers): in UTF-16 that is a
        # NUL high byte beside a printable low byte.
        ascii_units = sum(
            h == 0 and (32 <= lo < 127 or lo in (9, 10, 13))
            for lo, h in zip(low, high, strict=True)
        )
        if ascii_units > 0.3 * len(low):
            return False
    return True


def _mostly_text(head: bytes) -> bool:
    """At least 95 % of the bytes are printable ASCII, white space or non-ASCII (UTF-8, cp1252):
    what a spreadsheet export is, and what images, archives and executables are not."""
    texty = sum(b >= 32 or b in (9, 10, 13) for b in head)
    return texty >= 0.95 * len(head)
