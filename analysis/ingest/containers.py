"""What a workbook's ZIP really holds, measured before any reader sees it: the bytes each part
truly inflates to (never the sizes its headers declare), the range of cells its sheets use, and
the text its shared strings expand to. One streaming pass, each part inflated once in slices."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from analysis.errors import InputError
from analysis.settings import Limits

_SLICE = 1 << 20  # compressed bytes fed to zlib at a time
_OUT = 8 << 20  # inflated bytes taken out at a time: the scan's memory is a few slices
_CLOSE_READ = 64 << 20  # a sheet's bytes whose references are read, beyond its dimension
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_XLSX_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
_SHARED_STRINGS = "xl/sharedstrings.xml"

# Cheap first look at a slice: capitals and digits folded to "A" and "0", so that one fast
# substring search tells whether any cell reference has three letters (column 703 and beyond) or
# any number of seven digits or more (row 1,000,000 and beyond). Only such slices are read closely.
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", b"A" * 26 + b"0" * 10)
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d{1,9})"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="(?:[A-Z]+\d+:)?([A-Z]{1,3})(\d{1,9})"')
# A cell holding a value: not `<c r="X9" s="1"/>` nor `<c ...></c>`, which spreadsheets write for
# formatting only and the reader skips.
_VALUE_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d{1,9})"[^>]*(?<!/)>(?!</c>)')
_TWO_LETTERS = re.compile(rb'<c\b[^>]*?\br="([A-Z]{2})\d')
_ROW_REF = re.compile(rb'<row\b[^>]*?\br="(\d{1,9})"')
_SHARED_CELL = re.compile(rb'<c\b[^>]*?\bt="s"[^>]*>\s*<v>\s*(\d{1,9})\s*</v>')
_ODS_REPEAT = re.compile(
    rb"<table:table-(cell|row)\b([^>]*?)table:number-(?:columns|rows)-repeated=\"(\d+)\"([^>]*)>"
)


@dataclass
class _Sheet:
    """What one sheet's scan found: the farthest row and column, and where."""

    name: str
    max_row: int = 0
    max_column: int = 0
    far_cell: str = ""
    far_cells: int = 0
    dimension: bool = False
    shared_cells: int = 0
    counted: bool = True  # whether shared_cells counts every such cell

    def range_cells(self) -> int:
        return max(self.max_row, 1) * max(self.max_column, 1)


@dataclass
class _Findings:
    extension: str
    inflated: int = 0
    sheets: list[_Sheet] = field(default_factory=list)
    string_lengths: np.ndarray | None = None

    def damaged(self) -> InputError:
        return InputError("corrupt_workbook", extension=self.extension or "-")


def column_number(letters: bytes | str) -> int:
    """`A` -> 1, `XFD` -> 16384."""
    number = 0
    for letter in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def check_workbook(
    data: bytes, archive: zipfile.ZipFile, fmt: str, extension: str, limits: Limits
) -> None:
    """Refuse, with one InputError, a workbook that inflates, spreads or expands beyond the limits;
    return quietly for any other."""
    budget = max(limits.max_unpack_ratio * len(data), limits.max_unpacked_bytes)
    entries = archive.infolist()
    # Shared strings first: the sheets' scan needs their lengths.
    entries.sort(key=lambda e: e.filename.lower() != _SHARED_STRINGS)
    found = _Findings(extension)
    for entry in entries:
        name = entry.filename
        if fmt == "xlsx" and name.lower() == _SHARED_STRINGS:
            found.string_lengths = _string_lengths(_inflate(data, entry, found, budget))
        elif fmt == "xlsx" and _XLSX_SHEET.fullmatch(name):
            longest = (
                int(found.string_lengths.max())
                if found.string_lengths is not None and len(found.string_lengths)
                else 0
            )
            sheet = _scan_sheet(name, _inflate(data, entry, found, budget), longest, limits)
            if _past_limits(sheet, limits):
                # The quick look (the dimension, which counts cells holding only a format, and
                # the slices' last rows) says too far: every cell is read to be sure.
                exact = _Sheet(name)
                for chunk in _slices_at_tags(_inflate(data, entry, _Findings(extension), budget)):
                    _far_refs(chunk, exact)
                if _past_limits(exact, limits):
                    raise _far_cell(exact, limits)
            found.sheets.append(sheet)
        elif fmt == "ods" and name == "content.xml":
            _scan_ods(_inflate(data, entry, found, budget), limits)
        else:
            for _ in _inflate(data, entry, found, budget):
                pass
    if found.string_lengths is not None and len(found.string_lengths):
        _check_text(data, archive, found, limits, budget)


def _inflate(data: bytes, entry: zipfile.ZipInfo, found: _Findings, budget: int) -> Iterator[bytes]:
    """The entry's bytes as they truly inflate, in slices, counted into `found.inflated`; a zip
    bomb (the whole archive past `budget`) is refused as soon as the count passes it."""
    start = _data_start(data, entry, found)
    packed = memoryview(data)[start : start + entry.compress_size]
    if entry.compress_type == zipfile.ZIP_STORED:
        found.inflated += len(packed)
        _check_budget(found, budget, len(data))
        yield bytes(packed)
        return
    if entry.compress_type != zipfile.ZIP_DEFLATED or entry.flag_bits & 0x1:
        # Office and LibreOffice write deflate, never encrypted entries: anything else is damage.
        raise found.damaged()
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for offset in range(0, len(packed), _SLICE):
            pending: bytes | memoryview = packed[offset : offset + _SLICE]
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _OUT)
                pending = inflater.unconsumed_tail
                found.inflated += len(out)
                _check_budget(found, budget, len(data))
                if out:
                    yield out
            if inflater.eof:
                return
    except zlib.error:
        raise found.damaged() from None


def _data_start(data: bytes, entry: zipfile.ZipInfo, found: _Findings) -> int:
    header = data[entry.header_offset : entry.header_offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise found.damaged()
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    return int(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length)


def _check_budget(found: _Findings, budget: int, size: int) -> None:
    if found.inflated > budget:
        raise InputError("zip_bomb", unpacked_mb=found.inflated / 1e6, size_mb=size / 1e6)


def _slices_at_tags(chunks: Iterator[bytes], tag: bytes = b"<") -> Iterator[bytes]:
    """Slices cut just before a `tag`, so no element the scans look for is split in two (a slice
    without one within its last 64 KB is passed whole: it holds no short element to split)."""
    carry = b""
    for piece in chunks:
        chunk = carry + piece
        cut = chunk.rfind(tag)
        if cut <= 0 or len(chunk) - cut > 65536:
            carry = b""
            yield chunk
        else:
            carry = chunk[cut:]
            yield chunk[:cut]
    if carry:
        yield carry


def _scan_sheet(name: str, chunks: Iterator[bytes], longest: int, limits: Limits) -> _Sheet:
    """The farthest row and column a sheet's cells reach, and how many cells use shared strings.

    The sheet's `<dimension>` (Excel and LibreOffice write the true one) is taken first; its first
    64 MB are read closely besides, and the whole sheet when it has no dimension. A close read
    costs two substring searches a slice: rows come in order in every real workbook, so a slice's
    last row is its farthest; only a slice with a column past Z or a row past 999,999 has its
    references read one by one. (A hand-made sheet whose dimension lies about far cells placed
    past its first 64 MB, or whose far rows come first, is left to the worker's memory limit.)
    Cells using shared strings are counted when the longest string times the sheet's range could
    pass the text limit."""
    sheet = _Sheet(name)
    read = 0
    tail = b""
    for chunk in chunks:
        if read == 0:
            _read_dimension(chunk, sheet)
            sheet.counted = bool(longest) and (
                not sheet.dimension or sheet.range_cells() * longest > limits.max_text_bytes
            )
        if read < _CLOSE_READ or not sheet.dimension:
            # References cut in two where one slice ends are read again across the seam.
            _close_read(tail + chunk[:64], sheet)
            _close_read(chunk, sheet)
        if sheet.counted:
            sheet.shared_cells += chunk.count(b't="s"')
        read += len(chunk)
        tail = chunk[-64:]
    return sheet


def _read_dimension(head: bytes, sheet: _Sheet) -> None:
    match = _DIMENSION.search(head, 0, 65536)
    if match is None:
        return
    sheet.dimension = True
    column, row = match.group(1), int(match.group(2))
    sheet.max_row, sheet.max_column = row, column_number(column)
    sheet.far_cell, sheet.far_cells = f"{column.decode()}{row}", sheet.max_row * sheet.max_column


def _close_read(chunk: bytes, sheet: _Sheet) -> None:
    if b"<c " not in chunk:
        return  # no cell (padding, a long text): nothing to fold
    folded = chunk.translate(_FOLD)
    if b'r="AAA' in folded or b'0000000"' in folded:
        _far_refs(chunk, sheet)
        return
    last_row = _ROW_REF.search(chunk, max(chunk.rfind(b"<row"), 0))
    if last_row:
        sheet.max_row = max(sheet.max_row, int(last_row.group(1)))
    if b'r="AA' in folded:
        pairs = set(_TWO_LETTERS.findall(chunk))
        if pairs:
            sheet.max_column = max(sheet.max_column, *(column_number(p) for p in pairs))
    elif last_row:
        # One-letter columns: as wide as the slice's last row (a stray cell in a column up to Z
        # elsewhere is left to the worker's limit).
        letters = _CELL_REF.findall(chunk, last_row.start())
        if letters:
            sheet.max_column = max(sheet.max_column, *(column_number(c) for c, _ in letters))


def _far_refs(chunk: bytes, sheet: _Sheet) -> None:
    """Every reference of a slice read: the farthest row and column, and the cell farthest from
    A1 (the one the user is told to delete)."""
    rows_by_column: dict[bytes, int] = {}
    for match in _VALUE_CELL.finditer(chunk):
        column, row = match.group(1), int(match.group(2))
        rows_by_column[column] = max(row, rows_by_column.get(column, 0))
    for column, row in rows_by_column.items():
        number = column_number(column)
        sheet.max_row = max(sheet.max_row, row)
        sheet.max_column = max(sheet.max_column, number)
        if number * row > sheet.far_cells:
            sheet.far_cell, sheet.far_cells = f"{column.decode()}{row}", number * row


def column_letters(number: int) -> str:
    """1 -> `A`, 16384 -> `XFD`."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _past_limits(sheet: _Sheet, limits: Limits) -> bool:
    return sheet.max_column > limits.max_columns or sheet.range_cells() > limits.max_cells


def _far_cell(sheet: _Sheet, limits: Limits) -> InputError:
    return InputError(
        "far_cell",
        cell=sheet.far_cell or f"{column_letters(sheet.max_column)}{max(sheet.max_row, 1)}",
        cells=sheet.range_cells(),
        max_cells=limits.max_cells,
        max_columns=limits.max_columns,
    )


def _string_lengths(chunks: Iterator[bytes]) -> np.ndarray:
    """The length in bytes of each shared string (its `<si>` element, markup included: never
    less than the text it holds), in index order."""
    lengths: list[int] = []
    current = -1  # the length so far of the item being read; -1 before the first
    carry = b""
    for piece in chunks:
        chunk = carry + piece
        carry = b""
        for tail in (b"<s", b"<"):
            if chunk.endswith(tail):
                chunk, carry = chunk[: -len(tail)], tail
                break
        parts = chunk.split(b"<si")
        if current >= 0:
            current += len(parts[0])
        for part in parts[1:]:
            if current >= 0:
                lengths.append(current)
            current = len(part) + 3
    if current >= 0:
        lengths.append(current + len(carry))
    return np.array(lengths, dtype=np.int64)


def _check_text(
    data: bytes, archive: zipfile.ZipFile, found: _Findings, limits: Limits, budget: int
) -> None:
    """Refuse a workbook whose shared strings, copied into every cell that uses them, come to
    more than `limits.max_text_bytes`: first bounded by the longest string times the cells that
    use shared strings; only when that bound is passed, counted exactly, cell by cell."""
    lengths = found.string_lengths
    assert lengths is not None
    cells = sum(
        sheet.shared_cells if sheet.counted else sheet.range_cells() for sheet in found.sheets
    )
    if cells * int(lengths.max()) <= limits.max_text_bytes:
        return
    total = 0
    recount = _Findings(found.extension)  # the sizes were checked in the first pass
    for sheet in found.sheets:
        entry = archive.getinfo(sheet.name)
        for chunk in _slices_at_tags(_inflate(data, entry, recount, budget)):
            used = np.array(_SHARED_CELL.findall(chunk), dtype=np.int64)
            total += int(lengths[used[used < len(lengths)]].sum())
            if total > limits.max_text_bytes:
                raise InputError(
                    "text_too_large",
                    text_mb=total / 1e6,
                    limit_mb=limits.max_text_bytes / 1e6,
                )


def _scan_ods(chunks: Iterator[bytes], limits: Limits) -> None:
    """Refuse a sheet whose cells holding a value repeat across more columns than the limit
    (calamine would build every one of them), before any reader expands them; empty cells and
    rows repeated, which LibreOffice writes to pad a sheet, cost nothing and pass."""
    for chunk in _slices_at_tags(chunks):
        if b'-repeated="0000' not in chunk.translate(_FOLD):
            continue
        for match in _ODS_REPEAT.finditer(chunk):
            kind, before, times, after = match.groups()
            repeated = int(times)
            if kind == b"cell":
                holds_value = b"value-type" in before + after or not after.rstrip().endswith(b"/")
                if holds_value and repeated > limits.max_columns:
                    raise InputError("too_many_columns", columns=repeated, limit=limits.max_columns)
            else:
                end = chunk.find(b"</table:table-row>", match.end())
                row = chunk[match.end() : end if end >= 0 else None]
                if (b"value-type" in row or b"<text:p" in row) and repeated > limits.max_rows:
                    raise InputError("too_many_rows", rows=repeated, limit=limits.max_rows)


# --- XLS: the OLE2 compound file and its BIFF records ---------------------------------------

_OLE_END = 0xFFFFFFFE
# BIFF cell records (row, column first); MULRK and MULBLANK end with their last column.
_CELL_RECORDS = frozenset((0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E))
_MULTI_RECORDS = frozenset((0x00BD, 0x00BE))


def check_xls(data: bytes, extension: str, limits: Limits) -> None:
    """Refuse an XLS whose cells reach past the column limit, or whose rows times columns pass
    the cell limit, before the reader builds every column (a damaged file can say column 46,000).
    A file whose compound structure cannot be followed is left to the reader (and its limits)."""
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
    except (struct.error, IndexError):
        stream = None
    if stream is None or not stream.startswith(b"\x09\x08"):  # a workbook opens with BOF
        return
    max_row = max_column = far_row = 0  # far_row: the row of a cell in the farthest column
    position, end = 0, len(stream)
    view = memoryview(stream)
    while position + 4 <= end:
        record, size = struct.unpack_from("<HH", view, position)
        body = position + 4
        if record in _CELL_RECORDS and size >= 4:
            row, column = struct.unpack_from("<HH", view, body)
        elif record in _MULTI_RECORDS and size >= 6 and body + size <= end:
            row = struct.unpack_from("<H", view, body)[0]
            column = struct.unpack_from("<H", view, body + size - 2)[0]
        else:
            position = body + size
            continue
        max_row = max(max_row, row + 1)
        if column + 1 > max_column or (column + 1 == max_column and row + 1 > far_row):
            max_column, far_row = column + 1, row + 1
        position = body + size
    cells = max_row * max_column
    if max_column > limits.max_columns or cells > limits.max_cells:
        cell = f"{column_letters(max_column)}{far_row}"
        raise InputError(
            "far_cell",
            cell=cell,
            cells=cells,
            max_cells=limits.max_cells,
            max_columns=limits.max_columns,
        )


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """The first stream of a compound file named one of `names`, or None when its structure does
    not hold together. Every chain is bounded by the number of sectors (a loop ends it)."""
    if len(data) < 512:
        return None
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not (7 <= shift <= 16 and mini_shift < shift):
        return None
    sector = 1 << shift
    count = len(data) // sector
    fat_sectors, directory_start = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, mini_fat_start, mini_fat_count, difat_start, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    fat_list = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat = difat_start
    for _ in range(min(difat_count, count)):
        if next_difat >= count:
            break
        offset = (next_difat + 1) * sector
        entries = struct.unpack_from(f"<{sector // 4}I", data, offset)
        fat_list.extend(entries[:-1])
        next_difat = entries[-1]
    fat: list[int] = []
    for index in fat_list[: min(fat_sectors, count)]:
        if index >= count:
            return None
        fat.extend(struct.unpack_from(f"<{sector // 4}I", data, (index + 1) * sector))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        links: list[int] = []
        while start < len(table) and start < limit and len(links) < limit:
            links.append(start)
            start = table[start]
        return links

    def read(start: int) -> bytes:
        return b"".join(data[(s + 1) * sector : (s + 2) * sector] for s in chain(start, fat, count))

    directory = read(directory_start)
    records = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not records:
        return None
    root_start, root_size = struct.unpack_from("<II", records[0], 116)
    for entry in records:
        length = min(struct.unpack_from("<H", entry, 64)[0], 64)
        name = entry[: max(length - 2, 0)].decode("utf-16-le", errors="replace")
        if entry[66] != 2 or name not in names:
            continue
        start, size = struct.unpack_from("<II", entry, 116)
        if size >= mini_cutoff:
            return read(start)[:size]
        mini_fat: list[int] = []
        for s in chain(mini_fat_start, fat, min(mini_fat_count, count)):
            mini_fat.extend(struct.unpack_from(f"<{sector // 4}I", data, (s + 1) * sector))
        mini_stream = read(root_start)[:root_size]
        mini = 1 << mini_shift
        links = chain(start, mini_fat, len(mini_stream) // mini)
        return b"".join(mini_stream[s * mini : (s + 1) * mini] for s in links)[:size]
    return None
