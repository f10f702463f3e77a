"""The first sheet of an .xlsx workbook, row by row, in memory that stays flat as files grow.

python-calamine decodes a whole sheet before it gives the first row (about 1.3 MB per thousand
Taobao rows), so an .xlsx is read here as what it is: a zip of XML parts, the sheet streamed
through expat (`xlsx_stream`) and each row handed on as soon as it is read. Shared strings,
which a workbook keeps apart and a sheet names by number, go to a temporary file in blocks
and are looked up there, with the blocks last used kept decoded.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from xml.etree.ElementTree import ParseError, fromstring

from community.rebates.reports.xlsx_stream import BadWorkbook, SheetRows, StringItems

RELATIONS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
WORKBOOK = "xl/workbook.xml"
# About three million Taobao rows written with inline strings, the most verbose layout.
MAX_PART_BYTES = 2 * 1024**3
# A sheet names its shared strings mostly in the order they were written, so they are spooled
# and read back in blocks: one read serves the strings after it too. At most BLOCKS_CACHED
# blocks are held decoded, 65,536 strings (7.5 MB of a Taobao report's ids and amounts):
# a table that small stays whole in memory, a larger one is read from the file as it is used.
STRINGS_BLOCK = 256
BLOCKS_CACHED = 256
# Between the strings of a block: NUL, which no XML text can hold.
SEPARATOR = "\x00"
OFFSET = struct.Struct("<QI")
# Built-in number formats that show a date or time (27–36 and 50–58 are the CJK locales').
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
# What a custom format shows once quoted text, escapes and [colour]/[$-804] sections are gone.
FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)


class NotWorkbook(Exception):
    """The zip is not an .xlsx workbook (an .xlsb or .ods, say)."""


def local(tag: str) -> str:
    return tag.rpartition("}")[2]


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
    """The workbook's shared string table in a temporary file, in blocks of STRINGS_BLOCK
    strings, looked up by number with the blocks last used kept decoded."""

    def __init__(self, archive: zipfile.ZipFile, part: str | None):
        # Closed by close(), which rows() calls however it ends.
        self.texts = tempfile.TemporaryFile()  # noqa: SIM115
        self.index = tempfile.TemporaryFile()  # noqa: SIM115
        self.count = 0
        if part is not None and part in archive.NameToInfo:
            try:
                self.spool(archive, part)
            except BaseException:
                self.close()
                raise
        self.texts.flush()
        self.index.flush()
        self.block = lru_cache(maxsize=BLOCKS_CACHED)(self.read_block)

    def spool(self, archive: zipfile.ZipFile, part: str) -> None:
        block: list[str] = []
        with archive.open(part) as stream:
            for text in StringItems(part).read(stream):
                block.append(text)
                if len(block) == STRINGS_BLOCK:
                    self.write_block(block)
                    block = []
        if block:
            self.write_block(block)

    def write_block(self, block: list[str]) -> None:
        data = SEPARATOR.join(block).encode()
        self.index.write(OFFSET.pack(self.texts.tell(), len(data)))
        self.texts.write(data)
        self.count += len(block)

    def read_block(self, number: int) -> list[str]:
        position = number * OFFSET.size
        offset, size = OFFSET.unpack(os.pread(self.index.fileno(), OFFSET.size, position))
        return os.pread(self.texts.fileno(), size, offset).decode().split(SEPARATOR)

    def get(self, number: int) -> str:
        if not 0 <= number < self.count:
            return ""
        block, place = divmod(number, STRINGS_BLOCK)
        return self.block(block)[place]

    def close(self) -> None:
        self.texts.close()
        self.index.close()


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
            with archive.open(sheet) as stream:
                yield from SheetRows(sheet, strings.get, dated, date1904).read(stream)
        except (KeyError, ValueError, zipfile.BadZipFile) as error:
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
