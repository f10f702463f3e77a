"""An .xlsx part read as a stream: the sheet's rows and the shared string table's items, fed
to expat a piece at a time and handed on as each one's end tag is read, with no element tree
built and nothing kept of what has been handed on. Cells come as calamine gives them: text,
floats for numbers, booleans, and datetimes for numbers in a date format (1900 or 1904 date
system).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from pyexpat import ExpatError, ParserCreate

MAIN = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
READ_BYTES = 256 * 1024
# The most a part may hold before its first item, or one item (a row) may take.
LONGEST_PIECE = 16 * 1024**2
EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)
DIGITS = "0123456789"


class BadWorkbook(Exception):
    """The workbook's parts are missing or not well-formed XML."""


# Where an element sits in a part, for the elements read; any other element is skipped with
# everything inside it.
SKIPPED, DOCUMENT, SHEET, SHEET_DATA, ROW, CELL, VALUE, INLINE, RUN, TEXT, STRINGS = range(11)


def node(place: int, **children: tuple) -> tuple[int, dict[str, tuple]]:
    """(place, child's name as expat gives it → child) for an element and those it holds;
    a child counts in either main namespace or none."""
    names = {}
    for name, child in children.items():
        names[name] = child
        for namespace in MAIN:
            names[f"{namespace}}}{name}"] = child
    return place, names


# A string item's text: its <t>, or its rich-text runs' (phonetic guides, <rPh>, left out).
RICH_TEXT = {"t": node(TEXT), "r": node(RUN, t=node(TEXT))}
SHEET_LAYOUT = node(
    DOCUMENT,
    worksheet=node(
        SHEET,
        sheetData=node(
            SHEET_DATA,
            row=node(ROW, c=node(CELL, v=node(VALUE), **{"is": node(INLINE, **RICH_TEXT)})),
        ),
    ),
)
STRINGS_LAYOUT = node(DOCUMENT, sst=node(STRINGS, si=node(INLINE, **RICH_TEXT)))
NOT_READ = node(SKIPPED)


class StreamedPart:
    """A part fed to expat a piece at a time: `start` and `end` (a subclass's) hear of each
    element, with its place in `LAYOUT`, and put what they complete (rows, strings) in
    `items`, handed on after each piece. Text is gathered inside <v> and <t> alone.

    Office Open XML allows no document type declaration, so one is refused: no entity of the
    file's own is ever expanded (an undeclared one is an error). What is held between items
    stays small: more than LONGEST_PIECE bytes without one (before the first, or a row that
    never ends) is refused, never read into memory.
    """

    LAYOUT: tuple
    ITEM = ""

    def __init__(self, name: str):
        self.name = name
        self.open = [self.LAYOUT]
        self.texts: list[str] = []
        self.runs: list[str] = []
        self.items: list = []
        self.item_ended = 0
        self.finished = False
        parser = ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self.document_type
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        self.parser = parser

    def document_type(self, *declaration) -> None:
        raise BadWorkbook(f"{self.name} declares a document type")

    def read(self, stream) -> Iterator:
        """Each item of the part, in order; BadWorkbook when it is not well-formed."""
        fed = 0
        while True:
            data = stream.read(READ_BYTES)
            try:
                self.parser.Parse(data, not data)
            except ExpatError as error:
                raise BadWorkbook(f"{self.name}: {error}") from None
            fed += len(data)
            done, self.items = self.items, []
            yield from done
            if not data:
                return
            if not self.finished and fed - self.item_ended > LONGEST_PIECE:
                raise BadWorkbook(
                    f"{self.name}: more than {LONGEST_PIECE:,} bytes without a complete {self.ITEM}"
                )

    def gather_text(self) -> None:
        self.texts.clear()
        self.parser.CharacterDataHandler = self.texts.append

    def gathered(self) -> str:
        self.parser.CharacterDataHandler = None
        return "".join(self.texts)

    def start(self, name: str, attributes: dict) -> None:
        raise NotImplementedError

    def end(self, name: str) -> None:
        raise NotImplementedError


class StringItems(StreamedPart):
    """The string items of a shared string table."""

    LAYOUT = STRINGS_LAYOUT
    ITEM = "string"

    def start(self, name: str, attributes: dict) -> None:
        child = self.open[-1][1].get(name, NOT_READ)
        self.open.append(child)
        place = child[0]
        if place == TEXT:
            self.gather_text()
        elif place == INLINE:
            self.runs = []

    def end(self, name: str) -> None:
        place = self.open.pop()[0]
        if place == TEXT:
            self.runs.append(self.gathered())
        elif place == INLINE:
            self.items.append("".join(self.runs))
            self.item_ended = self.parser.CurrentByteIndex
        elif place == STRINGS:
            self.finished = True


@lru_cache(maxsize=1024)
def column_number(letters: str) -> int:
    """A column's letters ("A", "AB") as its index from 0."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number - 1


class SheetRows(StreamedPart):
    """The rows of a sheet as (row number, cells), rows without cells left out; `string`
    gives a shared string by its number."""

    LAYOUT = SHEET_LAYOUT
    ITEM = "row"

    def __init__(
        self, name: str, string: Callable[[int], str], dated: frozenset[int], date1904: bool
    ):
        super().__init__(name)
        self.string = string
        self.dated = dated
        self.epoch = EPOCH_1904 if date1904 else EPOCH_1900
        self.number = 0
        self.cells: list = []
        self.kind = self.style = self.reference = self.raw = self.inline = None

    def start(self, name: str, attributes: dict) -> None:
        child = self.open[-1][1].get(name, NOT_READ)
        self.open.append(child)
        place = child[0]
        if place == CELL:
            self.kind = attributes.get("t")
            self.style = attributes.get("s")
            self.reference = attributes.get("r")
            self.raw = self.inline = None
        elif place in (TEXT, VALUE):
            self.gather_text()
        elif place == INLINE:
            self.runs = []
        elif place == ROW:
            self.cells = []
            stated = attributes.get("r")
            self.number = int(stated) if stated and stated.isdigit() else self.number + 1

    def end(self, name: str) -> None:
        place = self.open.pop()[0]
        if place == TEXT:
            self.runs.append(self.gathered())
        elif place == CELL:
            self.add_cell()
        elif place == VALUE:
            text = self.gathered()
            if self.raw is None:
                self.raw = text
        elif place == INLINE:
            if self.inline is None:
                self.inline = "".join(self.runs)
        elif place == ROW:
            self.item_ended = self.parser.CurrentByteIndex
            if self.cells:
                self.items.append((self.number, self.cells))
        elif place == SHEET_DATA:
            self.finished = True

    def add_cell(self) -> None:
        cells = self.cells
        if self.reference:
            column = column_number(self.reference.rstrip(DIGITS))
            if column > len(cells):
                cells.extend([""] * (column - len(cells)))
        cells.append(self.value())

    def value(self):
        """The cell just read, as calamine gives it (the first <v> or <is> it holds)."""
        kind = self.kind
        if kind == "inlineStr":
            return self.inline or ""
        raw = self.raw
        if not raw:
            return ""
        if kind == "s":
            return self.string(int(raw)) if raw.isdigit() else ""
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw == "1"
        if kind == "d":
            return datetime.fromisoformat(raw)
        number = float(raw)
        if self.style and int(self.style) in self.dated:
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
