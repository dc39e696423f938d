"""Bytes to a raw table: format, encoding, delimiter, sheet and header row found, nothing parsed.

Every cell of a CSV arrives as text (numbers and dates are parsed per column later, where the
whole column can decide its conventions); spreadsheets keep the types the workbook stores.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.ingest.charsets import detect_encoding
from analysis.ingest.columns import match_roles
from analysis.ingest.formats import FileFormat, detect_format
from analysis.settings import Limits, ReadOptions

MAX_TITLE_ROWS = 10
_HEAD_BYTES = 256_000
# The csv module reads only the head (delimiter, header row), so no field of it is longer than
# the head itself; its default limit (131,072 characters) would fail on one long cell.
_FIELD_LIMIT = 4 * _HEAD_BYTES
_DELIMITERS = (";", ",", "\t", "|")
_NUMBER_LIKE = re.compile(r"^[\s\d.,'()%€$£₽+\-]+$")


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from and how it was read.

    `format` is the FileFormat of a file read here, or a label the caller chose for a table that
    came from elsewhere (see `elsewhere`): this floor knows files only.
    """

    name: str
    format: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1

    @classmethod
    def elsewhere(cls, name: str, kind: str) -> SourceInfo:
        """A table the caller built itself (from a database, say), labelled by `kind`."""
        return cls(name, kind)


@dataclass(frozen=True)
class RawTable:
    """Cells under their headers, with each row's number as a spreadsheet shows it."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    source: SourceInfo
    skipped_lines: tuple[tuple[int, str], ...] = ()


def read_table(data: bytes, name: str, options: ReadOptions | None = None) -> RawTable:
    """Read any supported file into a raw table."""
    options = options or ReadOptions()
    detected = detect_format(data, name, options.limits)
    if detected.format == "csv":
        table = _read_csv(data, name, options.limits)
    else:
        table = _read_workbook(data, name, detected.format, options)
    if len(table.frame) > options.limits.max_rows:
        raise InputError("too_many_rows", rows=len(table.frame), limit=options.limits.max_rows)
    return table


# --- header row -----------------------------------------------------------------------------


def _is_blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and np.isnan(cell)) or str(cell).strip() == ""


def find_header_row(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header among the first rows: the one naming the most roles, else the first
    row of text as wide as the data below it. Up to ten title or blank rows may precede it."""
    candidates = rows[: MAX_TITLE_ROWS + 1]
    best, best_score = -1, 0
    for index, row in enumerate(candidates):
        cells = [str(c) for c in row if not _is_blank(c)]
        if len(cells) < 2:
            continue
        roles = match_roles(cells)
        score = len(roles) + 2 * ("client" in roles or "client_id" in roles)
        if score > best_score:
            best, best_score = index, score
    if best >= 0:
        return best
    widths = [sum(not _is_blank(c) for c in row) for row in rows]
    data_width = Counter(widths[len(candidates) :] or widths).most_common(1)[0][0]
    for index, row in enumerate(candidates):
        cells = [str(c) for c in row if not _is_blank(c)]
        if len(cells) >= max(2, data_width) and not any(_NUMBER_LIKE.match(c) for c in cells):
            return index
    return 0


def _unique_names(cells: Sequence[object]) -> list[str]:
    """Header cells as distinct, non-empty column names."""
    names: list[str] = []
    seen: Counter[str] = Counter()
    for position, cell in enumerate(cells):
        base = "" if _is_blank(cell) else str(cell).strip()
        base = base or f"column_{position + 1}"
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return names


# --- CSV ------------------------------------------------------------------------------------


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the most rows the same number (above one) of fields."""
    best, best_score = ",", (0.0, 0)
    body = lines[MAX_TITLE_ROWS + 1 :] or lines
    for delimiter in _DELIMITERS:
        widths = [len(row) for row in csv.reader(body, delimiter=delimiter) if row]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(widths), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _field_limit() -> None:
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)


def _read_csv(data: bytes, name: str, limits: Limits) -> RawTable:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    encoding = detect_encoding(data)
    if encoding not in ("utf-8", "utf-8-sig"):
        data = data.decode(encoding, errors="replace").encode("utf-8")
    elif encoding == "utf-8-sig":
        data = data[3:]
    head = data[:_HEAD_BYTES].decode("utf-8", errors="replace")
    lines = head.splitlines()
    if len(data) > _HEAD_BYTES and len(lines) > 1:
        lines = lines[:-1]
    _field_limit()
    try:
        delimiter = _sniff_delimiter(lines)
        rows = list(csv.reader(lines[: MAX_TITLE_ROWS + 40], delimiter=delimiter))
    except csv.Error as error:
        raise InputError("unreadable_csv", detail=str(error).splitlines()[0][:200]) from None
    # Before any work per column: finding the header matches every cell against the vocabulary.
    widest = max((len(row) for row in rows[: MAX_TITLE_ROWS + 1]), default=0)
    if widest > limits.max_columns:
        raise InputError("too_many_columns", columns=widest, limit=limits.max_columns)
    header_index = find_header_row(rows)
    names = _unique_names(rows[header_index]) if header_index < len(rows) else []
    if not names:
        raise InputError("empty_file")
    invalid: list[tuple[int | None, str]] = []

    def on_invalid(row: pa_csv.InvalidRow) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    def read(newlines_in_values: bool, use_threads: bool = True) -> pa.Table:
        invalid.clear()
        return pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                skip_rows=header_index + 1,
                column_names=names,
                block_size=8 << 20,
                use_threads=use_threads,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=newlines_in_values,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )

    try:
        try:
            table = read(newlines_in_values=False)
        except pa.ArrowInvalid:
            table = read(newlines_in_values=True)
        if any(number is None for number, _ in invalid):
            # Threaded parsing does not know where a malformed line stands; the rare file that
            # has one is read again on one thread so that every row keeps its true number.
            table = read(newlines_in_values=False, use_threads=False)
    except pa.ArrowInvalid as error:
        raise InputError("unreadable_csv", detail=str(error).splitlines()[0][:200]) from None
    frame = table.to_pandas()
    first_data_line = header_index + 2
    bad_lines = sorted(n for n, _ in invalid if n is not None)
    row_numbers = _line_numbers(len(frame), first_data_line, bad_lines)
    skipped = tuple(
        (number if number is not None else 0, text)
        for number, text in invalid
        if text.strip(delimiter + " \t\r\n")
    )
    source = SourceInfo(name, "csv", None, encoding, delimiter, header_index + 1)
    return RawTable(frame, row_numbers, source, skipped)


def _line_numbers(count: int, first: int, removed: list[int]) -> np.ndarray:
    """Spreadsheet row numbers of the rows kept, given the line numbers of rows skipped."""
    numbers = np.arange(first, first + count + len(removed), dtype=np.int64)
    if removed:
        numbers = numbers[~np.isin(numbers, removed)]
    return numbers[:count]


# --- spreadsheets ---------------------------------------------------------------------------


def _first_used_row(data: bytes, fmt: FileFormat, reader: Any, index: int, rows: int) -> int:
    """The 1-based row where the sheet's used range starts: calamine drops empty rows above it,
    so the rows of a read start there, and reported row numbers must add them back."""
    if fmt == "xlsx":
        return _xlsx_first_used_row(data, index)
    # A second, lazy look at the sheet: one row as text (no type guessing) that keeps the empty
    # rows above (skip_rows=0) tells the sheet's full height; the read above had `rows` rows
    # under its header. Measured: 14 ms on a 50,000-row ODS, 62 ms on a 60,000-row XLS (the
    # format stops at 65,536 rows), against 102 and 152 ms for the reads themselves.
    probe = reader.load_sheet(index, header_row=None, skip_rows=0, n_rows=1, dtypes="string")
    return max(1, int(probe.total_height) - rows)


def _xlsx_first_used_row(data: bytes, sheet_index: int) -> int:
    """From the sheet's `<dimension>` (or first `<row>`) in its first bytes: an XLSX sheet is
    parsed on each load, so a second load of a million rows would cost seconds."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml", n)]
            names.sort(key=lambda n: int(re.findall(r"\d+", n)[-1]))
            if sheet_index >= len(names):
                return 1
            with archive.open(names[sheet_index]) as sheet:
                head = sheet.read(8192).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, ValueError):
        return 1
    match = re.search(r'<dimension ref="[A-Z]+(\d+)', head) or re.search(r'<row r="(\d+)"', head)
    return int(match.group(1)) if match else 1


def _reader_refused(error: BaseException) -> bool:
    """Whether `error` is the workbook reader failing on the file: its own errors, or a panic of
    its Rust code (pyo3's PanicException derives from BaseException, not Exception)."""
    import fastexcel

    return isinstance(error, (fastexcel.FastExcelError, OSError, ValueError)) or (
        type(error).__name__ == "PanicException"
    )


def _read_workbook(data: bytes, name: str, fmt: FileFormat, options: ReadOptions) -> RawTable:
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        sheet_names = list(reader.sheet_names)
    except BaseException as error:
        if not _reader_refused(error):
            raise
        raise _workbook_error(error, name) from None
    if options.sheet is not None:
        wanted = [
            s for s in sheet_names if s.strip().casefold() == options.sheet.strip().casefold()
        ]
        if not wanted:
            raise InputError("sheet_not_found", sheet=options.sheet, sheets=sheet_names)
        order = [sheet_names.index(wanted[0])]
    else:
        order = list(range(len(sheet_names)))
    fallback: RawTable | None = None
    for index in order:
        try:
            frame = _load_sheet(reader, index)
            if frame.empty and len(frame.columns) == 0:
                continue
            if len(frame.columns) > options.limits.max_columns:
                raise InputError(
                    "too_many_columns",
                    columns=len(frame.columns),
                    limit=options.limits.max_columns,
                )
            first_row = _first_used_row(data, fmt, reader, index, len(frame))
        except BaseException as error:
            if not _reader_refused(error):
                raise
            message = str(error).lower()
            if "empty" in message or "no data" in message or "out of bound" in message:
                continue
            raise _workbook_error(error, name) from None
        table = _sheet_table(frame, name, fmt, sheet_names[index], first_row)
        roles = match_roles(list(table.frame.columns))
        if "client" in roles or "client_id" in roles or options.sheet is not None:
            return table
        fallback = fallback or table
    if fallback is None:
        raise InputError("empty_file")
    return fallback


_CELL_TEXT = re.compile(r"^Expected \w+ but got '\w+\((.*)\)'$", re.DOTALL)


def _load_sheet(reader: Any, index: int) -> pd.DataFrame:
    """Load a sheet once; cells the typed reader could not convert get their own text back, so
    the cleaning step parses them (`1 234,5` typed as text) or reports them as unreadable."""
    batch, errors = reader.load_sheet(index, header_row=0).to_arrow_with_errors()
    frame: pd.DataFrame = batch.to_pandas()
    restored: dict[int, list[tuple[int, str]]] = {}
    for error in errors.errors if errors is not None else ():
        match = _CELL_TEXT.match(error.detail)
        text = match.group(1) if match else error.detail
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        row, column = error.offset_position
        restored.setdefault(column, []).append((row, text))
    for column, cells in restored.items():
        name = frame.columns[column]
        values = frame[name].astype(object)
        for row, text in cells:
            values.iat[row] = text
        frame[name] = values
    return frame


def _workbook_error(error: BaseException, name: str) -> InputError:
    message = str(error).lower()
    if "password" in message or "encrypt" in message:
        return InputError("password_protected")
    return InputError("corrupt_workbook", extension=name.rsplit(".", 1)[-1] if "." in name else "-")


def _sheet_table(
    frame: pd.DataFrame, name: str, fmt: FileFormat, sheet: str, first_row: int
) -> RawTable:
    """Find the header inside the sheet as read (row 0 first), without reading it again."""
    columns: list[object] = [None if str(c).startswith("__UNNAMED__") else c for c in frame.columns]
    head_rows: list[list[object]] = [columns]
    head_rows += frame.head(MAX_TITLE_ROWS + 40).astype(object).values.tolist()
    header_index = find_header_row(head_rows)
    if header_index == 0:
        frame.columns = _unique_names(columns)
    else:
        frame.columns = _unique_names(head_rows[header_index])
        frame = frame.iloc[header_index:].reset_index(drop=True)
    start = first_row + header_index + 1
    row_numbers = np.arange(start, start + len(frame), dtype=np.int64)
    source = SourceInfo(name, fmt, sheet, None, None, first_row + header_index)
    return RawTable(frame, row_numbers, source)
