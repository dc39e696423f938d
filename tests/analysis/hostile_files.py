"""Small hostile workbooks written by hand (zipfile), as the review built them: each is a few KB
that a careless reader turns into gigabytes or hours."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Ventes" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(row: int, column: int, value: object) -> str:
    ref = f"{_column(column)}{row}"
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def table_rows(rows: Sequence[Sequence[object]]) -> str:
    """`<row>` elements for a table starting at A1."""
    return "".join(
        f'<row r="{r + 1}">' + "".join(_cell(r + 1, c, v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows)
    )


SALES = [["Client", "Montant"], ["Alpha", 100], ["Beta", 50], ["Gamma", 10], ["Delta", 5]]


def xlsx(sheet_xml: str, shared_strings: str | None = None, dimension: str | None = None) -> bytes:
    """A workbook of one sheet whose `<sheetData>` content is `sheet_xml`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f"{SHEET_HEAD}{dim}<sheetData>{sheet_xml}</sheetData></worksheet>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            shared_strings
            or '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
        )
    return buffer.getvalue()


def far_cell_xlsx(ref: str = "XFD1048576", honest_dimension: bool = False) -> bytes:
    """The sales table, and one real value in `ref`: the accident that aborted the reader."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    stray = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    dimension = "A1:B5" if honest_dimension else f"A1:{ref}"
    return xlsx(table_rows(SALES) + stray, dimension=dimension)


def shared_string_bomb(length: int = 32_000, cells: int = 100_000) -> bytes:
    """One `length`-character shared string referenced by `cells` cells: 1 MB that expands to
    `length` x `cells` characters."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        f'uniqueCount="2"><si><t>{"x" * length}</t></si><si><t>Client</t></si></sst>'
    )
    header = '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>Montant</t></is></c></row>'
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c><c r="B{r}"><v>1</v></c></row>'
        for r in range(2, cells + 2)
    )
    return xlsx(header + body, shared_strings=strings)


def lying_zip(
    entries: Iterable[tuple[str, Sequence[tuple[bytes, int]]]], declared: int = 100
) -> bytes:
    """A ZIP whose entries' headers declare `declared` bytes whatever they inflate to. Each entry
    is pieces (bytes, times repeated): a piece repeated is compressed once after a full flush, so
    a gigabyte of it costs a millisecond to build."""
    out = io.BytesIO()
    central = []
    for name, pieces in entries:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = b""
        crc = 0
        for piece, times in pieces:
            block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
            packed += block * times
            for _ in range(times):
                crc = zlib.crc32(piece, crc)
        packed += compressor.flush()
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0,
                8,
                0,
                0,
                crc,
                len(packed),
                declared,
                len(encoded),
                0,
            )
        )
        out.write(encoded + packed)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0,
                crc,
                len(packed),
                declared,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(
        struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
    )
    return out.getvalue()


def inflating_xlsx(inflated_mb: int = 1536) -> bytes:
    """An XLSX whose parts declare 100 bytes, its sheet inflating to `inflated_mb` MB (blanks
    between its rows): the ratio of declared sizes looks honest."""
    sheet = (SHEET_HEAD + "<sheetData>" + table_rows(SALES)).encode()
    entries: list[tuple[str, Sequence[tuple[bytes, int]]]] = [
        ("[Content_Types].xml", [(_CONTENT_TYPES.encode(), 1)]),
        ("_rels/.rels", [(_RELS.encode(), 1)]),
        ("xl/workbook.xml", [(_WORKBOOK.encode(), 1)]),
        ("xl/_rels/workbook.xml.rels", [(_WORKBOOK_RELS.encode(), 1)]),
        (
            "xl/worksheets/sheet1.xml",
            [(sheet, 1), (b" " * (1 << 20), inflated_mb), (b"</sheetData></worksheet>", 1)],
        ),
    ]
    return lying_zip(entries)


_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(rows_xml: str) -> bytes:
    """An ODS of one table whose `<table:table>` content is `rows_xml`."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Ventes">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def ods_cell(value: object, repeated: int = 1) -> str:
    repeat = f' table:number-columns-repeated="{repeated}"' if repeated > 1 else ""
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell{repeat} office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell{repeat} office:value-type="string"><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def ods_rows(rows: Sequence[Sequence[object]]) -> str:
    return "".join(
        "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
        for row in rows
    )


def wide_ods(repeated: int = 1_000_000_000) -> bytes:
    """The sales table with one value repeated across `repeated` columns: under a KB."""
    header = "<table:table-row>" + ods_cell("Client") + ods_cell("Montant")
    header += ods_cell("x", repeated) + "</table:table-row>"
    return ods(header + ods_rows(SALES[1:]))


def refusals(files: list[tuple[bytes, str]]) -> list[tuple[str, dict[str, object]] | None]:
    """Run in a worker: for each file, the InputError reading it ends in (its code and values),
    or None when it reads."""
    from analysis.errors import InputError
    from analysis.pipeline import load

    outcomes: list[tuple[str, dict[str, object]] | None] = []
    for data, name in files:
        try:
            load(data, name)
            outcomes.append(None)
        except InputError as error:
            outcomes.append((error.code, error.params))
    return outcomes


def read_case(data: bytes, name: str) -> str:
    """Run in a worker by the fuzz test: `read`, or `refused:<code>` for an InputError; any other
    exception passes through to the test as the case's failure."""
    from analysis.errors import InputError
    from analysis.pipeline import load

    try:
        load(data, name)
    except InputError as error:
        return f"refused:{error.code}"
    return "read"


def long_notes_workbook(rows: int = 9_000, note: int = 20_000) -> bytes:
    """A small file (one long note, shared by every row) within every reading limit, whose
    180 MB of text a worker limited to 1,500 MB cannot hold once read: an honest-looking file
    that still outgrows the worker."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Client", "Montant", "Note"])
    text = "x" * note
    for index in range(rows):
        sheet.append([f"Client {index % 50}", 10, text])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
