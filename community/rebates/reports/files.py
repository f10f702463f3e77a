"""Reading a report file row by row: CSV (UTF-8, UTF-8 with BOM or GB18030, detected), an .xlsx
workbook (streamed, see `xlsx`) or another Excel workbook (.xls, .xlsb or .ods, by
python-calamine, which decodes the sheet whole: an .xls holds at most 65,536 rows), with
columns found by header name.

The header row is the one, among the first few, that names every required column (by any of
its aliases); rows then come as {field: cell} with the line number a spreadsheet shows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from flask_babel import lazy_gettext as _l
from python_calamine import CalamineError, CalamineWorkbook

from community.rebates.reports import xlsx
from community.text_encoding import detect_encoding

HEADER_SCAN_ROWS = 10
ENCODING_SAMPLE = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPACES = re.compile(r"[\s\u3000\ufeff]+")
FULL_WIDTH_BRACKETS = str.maketrans("（）：", "():")
# The largest cell a CSV row may carry (the csv module refuses longer fields).
csv.field_size_limit(1024 * 1024)


class BadFile(Exception):
    """The file as a whole cannot be read: nothing of it is imported."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(str(reason))


def header_key(name) -> str:
    """A header as compared: no spaces, half-width brackets, lower case."""
    return SPACES.sub("", str(name or "")).translate(FULL_WIDTH_BRACKETS).lower()


def table_rows(path: Path) -> Iterator[tuple[int, list]]:
    """(line number, cells) for every row of a CSV or Excel file, in order."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic.startswith(ZIP_MAGIC):
        return workbook_rows(path)
    if magic == OLE_MAGIC:
        return excel_rows(path)
    return csv_rows(path)


def workbook_rows(path: Path) -> Iterator[tuple[int, list]]:
    """An .xlsx streamed; any other zipped workbook (.xlsb, .ods) through calamine."""
    try:
        yield from xlsx.rows(path)
    except xlsx.NotWorkbook:
        yield from excel_rows(path)
    except (xlsx.BadWorkbook, OSError) as error:
        raise BadFile(_l("The Excel file cannot be read (%(error)s).", error=str(error))) from None


def excel_rows(path: Path) -> Iterator[tuple[int, list]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as error:
        raise BadFile(_l("The Excel file cannot be read (%(error)s).", error=str(error))) from None
    offset = (sheet.start or (0, 0))[0]
    for index, cells in enumerate(sheet.iter_rows()):
        yield index + offset + 1, cells


def csv_rows(path: Path) -> Iterator[tuple[int, list]]:
    with open(path, "rb") as binary:
        encoding = detect_encoding(binary.read(ENCODING_SAMPLE))
        if encoding is None:
            raise BadFile(_l("The file is neither a spreadsheet nor text in UTF-8 or GB18030."))
        binary.seek(0)
        stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
        reader = csv.reader(stream)
        try:
            for cells in reader:
                yield reader.line_num, cells
        except UnicodeDecodeError:
            raise BadFile(
                _l(
                    "Line %(line)d is not in the file's encoding (%(encoding)s).",
                    line=reader.line_num + 1,
                    encoding=encoding,
                )
            ) from None
        except csv.Error as error:
            raise BadFile(
                _l("Line %(line)d is not valid CSV (%(error)s).", line=reader.line_num, error=error)
            ) from None


def column_map(headers: list, aliases: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """field → column index, for each field one of whose aliases names a header."""
    positions = {}
    for index, header in enumerate(headers):
        key = header_key(header)
        if key and key not in positions:
            positions[key] = index
    found = {}
    for field, names in aliases.items():
        for name in names:
            index = positions.get(header_key(name))
            if index is not None:
                found[field] = index
                break
    return found


def mapped_rows(
    path: Path, aliases: Mapping[str, tuple[str, ...]], required: tuple[str, ...]
) -> Iterator[tuple[int, dict]]:
    """(line number, {field: cell}) for each data row under the header row."""
    rows = table_rows(path)
    columns = None
    best: dict[str, int] = {}
    for line, cells in rows:
        mapping = column_map(cells, aliases)
        if all(field in mapping for field in required):
            columns = mapping
            break
        if len(mapping) > len(best):
            best = mapping
        if line >= HEADER_SCAN_ROWS:
            break
    if columns is None:
        missing = [aliases[field][0] for field in required if field not in best]
        raise BadFile(
            _l("No header row names the columns: %(columns)s.", columns="、".join(missing))
        )
    for line, cells in rows:
        if not any(cell not in (None, "") for cell in cells):
            continue
        width = len(cells)
        yield (
            line,
            {field: cells[index] if index < width else "" for field, index in columns.items()},
        )
