"""Our Whoosh codec: postings as flat arrays, one record per term; stored fields unpacked.

Whoosh 2.7.4 (pinned) pickles a term's postings in blocks of 128 and reads them one posting at
a time; a search for a word found in half the index then spends its time stepping through
blocks in Python. This codec keeps Whoosh's segments, term dictionary and per-document columns
but writes each term's postings as one record of little-endian arrays: document numbers,
weights, and for positional fields how many positions each document has and the positions
themselves. A query reads a record with one file read and works on it as arrays
(whoosh_evaluate.py). Whoosh's own readers (merging segments, deleting by term, the spelling
corrector) get a list matcher over the same arrays. Every segment records its codec, so whatever
reads an index reads it with this one.

Stored fields are pickled without Whoosh's per-document zlib, which cost more than analysing
the document did; a bulk rebuild keeps the long texts in columns of their own instead, as
plain UTF-8, which costs less again than pickling them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
from whoosh import columns, formats
from whoosh.codec.whoosh3 import (
    W3Codec,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
)
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound

MAGIC = b"CAP1"
# magic, postings, what follows the weights, how many positions or value bytes, flags
HEADER = struct.Struct("<4sIIII")
NO_VALUES, POSITIONS, VALUE_BYTES = 0, 1, 2
HAS_WEIGHTS = 1
IDS = np.dtype("<u4")
STORED_COLUMN = columns.PickleColumn(columns.VarBytesColumn())
TEXT_COLUMN = columns.VarBytesColumn()
WEIGHTS = np.dtype("<f4")


@dataclass(frozen=True)
class Postings:
    """One term's postings in one segment: ascending document numbers, weights, positions.

    `starts[i]:starts[i + 1]` are the positions of document `ids[i]` (positional fields only).
    """

    ids: np.ndarray
    weights: np.ndarray
    starts: np.ndarray | None = None
    positions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


def encode_record(
    ids: np.ndarray,
    weights: np.ndarray,
    counts: np.ndarray | None = None,
    positions: np.ndarray | None = None,
    values: bytes = b"",
    value_ends: np.ndarray | None = None,
) -> bytes:
    """A term's record: `counts`/`positions` for positional fields; otherwise the postings'
    encoded values joined in `values`, each ending at its `value_ends`."""
    flags = 0 if bool(np.all(weights == 1.0)) else HAS_WEIGHTS
    parts = [ids.astype(IDS, copy=False).tobytes()]
    if flags:
        parts.append(weights.astype(WEIGHTS, copy=False).tobytes())
    if counts is not None:
        kind, extra = POSITIONS, len(positions)
        parts += [counts.astype(IDS, copy=False).tobytes(), positions.astype(IDS).tobytes()]
    elif values:
        kind, extra = VALUE_BYTES, len(values)
        parts += [value_ends.astype(IDS, copy=False).tobytes(), values]
    else:
        kind, extra = NO_VALUES, 0
    return HEADER.pack(MAGIC, len(ids), kind, extra, flags) + b"".join(parts)


class Record:
    """A term's record as read from the postings file (the arrays are views of its bytes)."""

    def __init__(self, data: bytes) -> None:
        magic, count, kind, extra, flags = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise ValueError(f"not a postings record: {magic!r}")
        self.data, self.count, self.kind, self.extra = data, count, kind, extra
        offset = HEADER.size
        self.ids = np.frombuffer(data, IDS, count, offset)
        offset += 4 * count
        if flags & HAS_WEIGHTS:
            self.weights = np.frombuffer(data, WEIGHTS, count, offset)
            offset += 4 * count
        else:
            self.weights = np.ones(count, WEIGHTS)
        self.tail = offset

    def postings(self, with_positions: bool = False) -> Postings:
        if not with_positions or self.kind != POSITIONS:
            return Postings(self.ids, self.weights)
        counts = np.frombuffer(self.data, IDS, self.count, self.tail)
        starts = np.zeros(self.count + 1, np.int64)
        np.cumsum(counts, out=starts[1:])
        positions = np.frombuffer(self.data, IDS, self.extra, self.tail + 4 * self.count)
        return Postings(self.ids, self.weights, starts, positions)

    def values(self, format_) -> list[bytes | None]:
        """Whoosh's encoded value of every posting (what its own matchers return: None for a
        format without values)."""
        count = self.count
        if self.kind == NO_VALUES:
            return [None] * count
        if self.kind == POSITIONS:
            found = self.postings(with_positions=True)
            bounds = found.starts.tolist()
            flat = found.positions.tolist()
            return [format_.encode(flat[bounds[i] : bounds[i + 1]]) for i in range(count)]
        ends = np.frombuffer(self.data, IDS, count, self.tail).tolist()
        blob = self.data[self.tail + 4 * count :]
        return [blob[(ends[i - 1] if i else 0) : ends[i]] for i in range(count)]


def read_record(postfile, terminfo) -> Record:
    offset, length = terminfo.extent()
    # Whoosh 2.7.4 reads a stored length back as a one-item tuple.
    if isinstance(length, tuple):
        (length,) = length
    return Record(postfile.get(offset, length))


def term_postings(reader, fieldname: str, term: bytes, with_positions: bool = False):
    """The postings of `term` in one segment reader, or None when the segment lacks it.

    Deleted documents are included; callers mask them out.
    """
    try:
        terminfo = reader.term_info(fieldname, term)
    except TermNotFound:
        return None
    # The segment's own postings file, which Whoosh 2.7.4 keeps on its terms reader.
    return read_record(reader._terms._postfile, terminfo).postings(with_positions)


def term_info_for(ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray) -> W3TermInfo:
    """Whoosh's statistics of a posting list (weights as stored, 32-bit)."""
    return W3TermInfo(
        weight=float(weights.sum(dtype=np.float64)),
        df=len(ids),
        minlength=int(lengths.min()) if len(lengths) else None,
        maxlength=int(lengths.max()) if len(lengths) else 0,
        maxweight=float(weights.max()),
        minid=int(ids[0]),
        maxid=int(ids[-1]),
    )


class ArrayPostingsWriter(W3PostingsWriter):
    """Buffers one term's postings as Whoosh hands them over, then writes one record."""

    def start_postings(self, format_, terminfo):
        self._format = format_
        self._terminfo = terminfo
        self._ids, self._weights, self._values, self._lengths = [], [], [], []

    def add_posting(self, id_, weight, vbytes, length=None):
        self._ids.append(id_)
        self._weights.append(weight)
        self._values.append(vbytes or b"")
        self._lengths.append(length or 0)

    def written(self):
        return bool(self._ids)

    def finish_postings(self):
        ids = np.array(self._ids, IDS)
        weights = np.array(self._weights, WEIGHTS)
        counts = positions = None
        if isinstance(self._format, formats.Positions):
            decoded = [self._format.decode_positions(value) for value in self._values]
            counts = np.array([len(found) for found in decoded], IDS)
            positions = np.array([p for found in decoded for p in found], IDS)
        ends = np.cumsum([len(value) for value in self._values], dtype=np.int64)
        record = encode_record(ids, weights, counts, positions, b"".join(self._values), ends)
        terminfo = term_info_for(ids, weights, np.array(self._lengths))
        terminfo.set_extent(self._postfile.tell(), len(record))
        self._postfile.write(record)
        self._terminfo = None
        return terminfo


class StoredPerDocWriter(W3PerDocWriter):
    """Whoosh's per-document writer, keeping stored fields in `STORED_COLUMN`."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, STORED_COLUMN if fieldname == "_stored" else column)


class StoredPerDocReader(W3PerDocReader):
    """Stored fields: the pickled values, plus the texts a bulk-built segment keeps in columns
    of their own (named in its `text_columns`).

    Every column file of the segment is opened with the reader. A commit that merges segments
    deletes the merged ones' files; a searcher opened before it goes on reading them through
    its open files (an open file outlives its name), where Whoosh would open them on first use
    and find them gone. A file deleted while the reader opens fails the opening, which Whoosh
    retries on the new table of contents.
    """

    def __init__(self, storage, segment):
        super().__init__(storage, segment)
        prefix, suffix = segment.make_filename("."), W3Codec.COLUMN_EXT
        try:
            for name in segment.list_files(storage):
                if name.endswith(suffix):
                    column = name[len(prefix) : -len(suffix)]
                    self._colfiles[column] = self._get_column_file(column)
        except BaseException:
            self.close()
            raise

    def has_column(self, fieldname):
        return fieldname in self._colfiles

    def column_bytes(self, fieldname: str) -> bytes | None:
        """A column file's content, or None when the segment has no such column."""
        found = self._colfiles.get(fieldname)
        if found is None:
            return None
        colfile, offset, length = found
        return colfile.get(offset, length)

    def stored_fields(self, docnum):
        found = self._cached_reader("_stored", STORED_COLUMN)[docnum] or {}
        for name in getattr(self._segment, "text_columns", ()):
            found[name] = self._cached_reader(text_column_name(name), TEXT_COLUMN)[docnum].decode()
        return found


def text_column_name(fieldname: str) -> str:
    return f"_text_{fieldname}"


class ArrayCodec(W3Codec):
    """Whoosh's W3 segments with array postings records and plain stored fields."""

    def per_document_writer(self, storage, segment):
        return StoredPerDocWriter(self, storage, segment)

    def per_document_reader(self, storage, segment):
        return StoredPerDocReader(storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:
            # Term vectors keep Whoosh's blocks (no field of ours stores vectors).
            return super().postings_writer(dbfile, byteids=True)
        return ArrayPostingsWriter(dbfile, blocklimit=self._blocklimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        record = read_record(dbfile, terminfo)
        return ListMatcher(
            record.ids.tolist(),
            record.weights.tolist(),
            record.values(format_),
            format_,
            scorer=scorer,
            term=term,
            terminfo=terminfo,
        )
