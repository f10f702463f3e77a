"""The first sheet of an .xlsx workbook, row by row, in memory that stays flat as files grow.

python-calamine decodes a whole sheet before it gives the first row (about 1.3 MB per thousand
Taobao rows), so an .xlsx is read here as what it is: a zip of XML parts, the sheet parsed as a
stream and each row dropped once it is read. Shared strings, which a workbook keeps apart and
a sheet names by number, go to a temporary file and are looked up there, with recent ones
cached. Cells come as calamine gives them: text, floats for numbers, booleans, and datetimes
for numbers in a date format (1900 or 1904 date system).
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from xml.etree.ElementTree import ParseError, fromstring

MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
RELATIONS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
WORKBOOK = "xl/workbook.xml"
READ_BYTES = 256 * 1024
# The most a part may hold before its first item, or one item (a row) may take.
LONGEST_PIECE = 16 * 1024**2
# About three million Taobao rows written with inline strings, the most verbose layout.
MAX_PART_BYTES = 2 * 1024**3
STRINGS_CACHED = 4096
OFFSET = struct.Struct("<QI")
# Built-in number formats that show a date or time (27–36 and 50–58 are the CJK locales').
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# What a custom format shows once quoted text, escapes and [colour]/[$-804] sections are gone.
FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)
EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)


class NotWorkbook(Exception):
    """The zip is not an .xlsx workbook (an .xlsb or .ods, say)."""


class BadWorkbook(Exception):
    """The workbook's parts are missing or not well-formed XML."""


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


def tags(name: str) -> frozenset[str]:
    """An element's name as the parser gives it, in either namespace or none."""
    return frozenset([name, *(f"{{{namespace}}}{name}" for namespace in MAIN)])


CELL, VALUE, INLINE = tags("c"), tags("v"), tags("is")
TEXT, RUN = tags("t"), tags("r")


def attribute(element, name: str, namespaces=RELATIONS) -> str | None:
    for namespace in namespaces:
        value = element.get(f"{{{namespace}}}{name}")
        if value is not None:
            return value
    return None


def read_part(archive: zipfile.ZipFile, name: str):
    """A small part (workbook, relations, styles) parsed whole. Office Open XML allows no
    document type declaration, so none is parsed: no entity of the file's own is expanded."""
    try:
        data = archive.read(name)
    except KeyError:
        raise BadWorkbook(f"{name} is missing") from None
    if b"<!DOCTYPE" in data:
        raise BadWorkbook(f"{name} declares a document type")
    try:
        return fromstring(data)  # noqa: S314 - no DTD (above), so no entity expansion
    except ParseError as error:
        raise BadWorkbook(f"{name}: {error}") from None


def relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """relation id → (type, part name) for the relations of `part`."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", f"{name}.rels")
    if path not in archive.NameToInfo:
        return {}
    found = {}
    for relation in read_part(archive, path):
        target = relation.get("Target", "")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(folder, target))
        found[relation.get("Id")] = (relation.get("Type", ""), target)
    return found


def date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """The cell style indexes whose number format shows a date or a time."""
    if part is None or part not in archive.NameToInfo:
        return frozenset()
    styles = read_part(archive, part)
    custom = {}
    for element in styles.iter():
        if local(element.tag) == "numFmt":
            shown = FORMAT_NOISE.sub("", element.get("formatCode", ""))
            custom[element.get("numFmtId")] = bool(DATE_TOKENS.search(shown))
    dated = set()
    for element in styles:
        if local(element.tag) != "cellXfs":
            continue
        for index, style in enumerate(element):
            number_format = style.get("numFmtId", "0")
            if number_format in custom:
                if custom[number_format]:
                    dated.add(index)
            elif number_format.isdigit() and int(number_format) in DATE_FORMAT_IDS:
                dated.add(index)
    return frozenset(dated)


class SharedStrings:
    """The workbook's shared string table in a temporary file, looked up by number."""

    def __init__(self, archive: zipfile.ZipFile, part: str | None):
        # Closed by close(), which rows() calls however it ends.
        self.texts = tempfile.TemporaryFile()  # noqa: SIM115
        self.index = tempfile.TemporaryFile()  # noqa: SIM115
        self.count = 0
        if part is not None and part in archive.NameToInfo:
            self.spool(archive, part)
        self.texts.flush()
        self.index.flush()
        self.get = lru_cache(maxsize=STRINGS_CACHED)(self.lookup)

    def spool(self, archive: zipfile.ZipFile, part: str) -> None:
        offset = 0
        with archive.open(part) as stream:
            for element in parsed_elements(stream, b"sst", b"si"):
                data = item_text(element).encode()
                self.texts.write(data)
                self.index.write(OFFSET.pack(offset, len(data)))
                offset += len(data)
                self.count += 1

    def lookup(self, number: int) -> str:
        if not 0 <= number < self.count:
            return ""
        offset, size = OFFSET.unpack(os.pread(self.index.fileno(), OFFSET.size, number * 12))
        return os.pread(self.texts.fileno(), size, offset).decode()

    def close(self) -> None:
        self.texts.close()
        self.index.close()


def item_text(element) -> str:
    """A string item's text: its <t>, or its rich-text runs' (phonetic guides left out)."""
    parts = []
    for child in element:
        if child.tag in TEXT:
            parts.append(child.text or "")
        elif child.tag in RUN:
            parts.extend(run.text or "" for run in child if run.tag in TEXT)
    return "".join(parts)


def parsed_elements(stream, root: bytes, item: bytes, container: bytes = b"") -> Iterator:
    """Each `item` element of an XML stream (a part's rows or string items), parsed in batches
    of whole elements, each batch let go of once read.

    The stream is cut after an item's closing tag; each batch is parsed inside the part's own
    root start tag (for its namespace declarations) and, when there is one, the `container`'s
    (<sheetData>). A cut that XML would not allow fails to parse: BadWorkbook, never a misread.
    """
    data = b""
    opening = start_tag(container or root)
    while (found := opening.search(data)) is None:
        more = stream.read(READ_BYTES)
        if not more:
            return
        data += more
        too_long(data)
    if found.group(2):
        return
    prefix = found.group(1)
    if container:
        head = start_tag(root).search(data, 0, found.start())
        if head is None:
            raise BadWorkbook(f"no <{root.decode()}> before <{container.decode()}>")
        wrap_open = head.group(0) + found.group(0)
        wrap_close = b"</" + prefix + container + b"></" + head.group(1) + root + b">"
    else:
        wrap_open, wrap_close = found.group(0), b"</" + prefix + root + b">"
    item_close = b"</" + prefix + item + b">"
    closing = b"</" + prefix + (container or root) + b">"
    data = data[found.end() :]
    while True:
        end = data.find(closing)
        if end >= 0:
            yield from parsed_batch(wrap_open, data[:end], wrap_close, bool(container))
            return
        more = stream.read(READ_BYTES)
        if not more:
            raise BadWorkbook(f"the part ends before {closing.decode()}")
        cut = data.rfind(item_close)
        if cut >= 0:
            cut += len(item_close)
            yield from parsed_batch(wrap_open, data[:cut], wrap_close, bool(container))
            data = data[cut:]
        data += more
        too_long(data)


def too_long(data: bytes) -> None:
    """What is kept between batches stays small: a part without rows, or a row, of many
    megabytes is no report."""
    if len(data) > LONGEST_PIECE + READ_BYTES:
        raise BadWorkbook(f"more than {LONGEST_PIECE:,} bytes without a complete row")


def parsed_batch(wrap_open: bytes, items: bytes, wrap_close: bytes, contained: bool) -> list:
    try:
        # The wrapper is the part's start tags alone: no DTD, so no entity can be declared.
        batch = fromstring(wrap_open + items + wrap_close)  # noqa: S314
    except ParseError as error:
        raise BadWorkbook(str(error)) from None
    return list(batch[0] if contained else batch)


@lru_cache(maxsize=8)
def start_tag(name: bytes) -> re.Pattern:
    """An element's start tag with any prefix (group 1) and whether it closes itself (2)."""
    return re.compile(rb"<((?:[A-Za-z_][\w.\-]*:)?)" + name + rb"(?=[\s/>])[^>]*?(/?)>")


def first_sheet(archive: zipfile.ZipFile) -> tuple[str, dict[str, tuple[str, str]], bool]:
    """The first sheet's part name, the workbook's relations and whether it counts from 1904."""
    workbook = read_part(archive, WORKBOOK)
    links = relations(archive, WORKBOOK)
    date1904 = False
    for element in workbook:
        name = local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        if name == "sheets":
            for sheet in element:
                target = links.get(attribute(sheet, "id"))
                if target is not None:
                    return target[1], links, date1904
    raise BadWorkbook("the workbook has no sheet")


def part_of_type(links: dict[str, tuple[str, str]], kind: str) -> str | None:
    for relation_type, target in links.values():
        if relation_type.endswith(f"/{kind}"):
            return target
    return None


def column_number(reference: str, cache: dict[str, int]) -> int:
    letters = reference.rstrip("0123456789")
    number = cache.get(letters)
    if number is None:
        number = 0
        for letter in letters.upper():
            number = number * 26 + ord(letter) - 64
        cache[letters] = number - 1
        number -= 1
    return number


class SheetReader:
    """Turns the <c> elements of a row into cell values."""

    def __init__(self, strings: SharedStrings, dated: frozenset[int], date1904: bool):
        self.strings = strings
        self.dated = dated
        self.epoch = EPOCH_1904 if date1904 else EPOCH_1900
        self.columns: dict[str, int] = {}

    def cells(self, row) -> list:
        values: list = []
        for cell in row:
            if cell.tag not in CELL:
                continue
            reference = cell.get("r")
            if reference:
                column = column_number(reference, self.columns)
                if column > len(values):
                    values.extend([""] * (column - len(values)))
            values.append(self.value(cell))
        return values

    def value(self, cell):
        kind = cell.get("t")
        if kind == "inlineStr":
            for child in cell:
                if child.tag in INLINE:
                    return item_text(child)
            return ""
        raw = None
        for child in cell:
            if child.tag in VALUE:
                raw = child.text
                break
        if raw is None:
            return ""
        if kind == "s":
            return self.strings.get(int(raw)) if raw.isdigit() else ""
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return datetime.fromisoformat(raw)
        number = float(raw)
        style = cell.get("s")
        if style and int(style) in self.dated:
            return self.moment(number)
        return number

    def moment(self, serial: float):
        """A date serial as calamine gives it: a date when whole, a time when under a day."""
        moment = self.epoch + timedelta(seconds=round(serial * 86400))
        if serial < 1:
            return moment.time()
        if moment.hour == moment.minute == moment.second == 0:
            return moment.date()
        return moment


def rows(path) -> Iterator[tuple[int, list]]:
    """(row number, cells) for each row of the workbook's first sheet that has any cell."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise BadWorkbook(str(error)) from None
    with archive:
        if WORKBOOK not in archive.NameToInfo:
            raise NotWorkbook(path)
        strings = None
        try:
            sheet, links, date1904 = first_sheet(archive)
            shared = part_of_type(links, "sharedStrings")
            check_sizes(archive, (sheet, shared))
            strings = SharedStrings(archive, shared)
            dated = date_styles(archive, part_of_type(links, "styles"))
            reader = SheetReader(strings, dated, date1904)
            number = 0
            with archive.open(sheet) as stream:
                for row in parsed_elements(stream, b"worksheet", b"row", b"sheetData"):
                    stated = row.get("r")
                    number = int(stated) if stated and stated.isdigit() else number + 1
                    cells = reader.cells(row)
                    if cells:
                        yield number, cells
        except (KeyError, ParseError, ValueError, zipfile.BadZipFile) as error:
            raise BadWorkbook(str(error)) from None
        finally:
            if strings is not None:
                strings.close()


def check_sizes(archive: zipfile.ZipFile, parts) -> None:
    """Refuse parts that would unpack past the ceiling (a zip bomb fills no disk here):
    zipfile reads no further than a member's stated size, so the stated size is the bound."""
    for part in parts:
        if part is None or part not in archive.NameToInfo:
            continue
        size = archive.NameToInfo[part].file_size
        if size > MAX_PART_BYTES:
            raise BadWorkbook(f"{part} unpacks to {size:,} bytes, more than {MAX_PART_BYTES:,}")
