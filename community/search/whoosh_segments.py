"""What a query reads per document, as arrays loaded once per segment: field lengths, rank
boosts, sort keys, tags, and which documents are deleted.

Segments never change once written except for deletions, which only grow; so these are cached
by segment id (a random name) and survive new index versions, and the deletion mask by segment
id and number of deletions. Only a new segment, or new deletions, are read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from community.search.whoosh_schema import BOOST_SCALE

CACHED_SEGMENTS = 64
LENGTH_OF_BYTE = np.array([byte_to_length(byte) for byte in range(256)], dtype=np.float64)
LENGTH_OF_BYTE[0] = 0.0


class SegmentData:
    """Per-document values of one segment, indexed by the segment's document numbers."""

    def __init__(self, reader: SegmentReader) -> None:
        self.size = reader.doc_count_all()
        self.boosts = self._column(reader, "boost") / BOOST_SCALE
        self.tag_names, self.tag_starts, self.tag_codes = _tags(reader, self.size)
        self.lengths: dict[str, np.ndarray] = {}
        self.sort_keys: dict[str, np.ndarray] = {}
        self.live: dict[int, np.ndarray] = {}
        self.lock = threading.Lock()

    def _column(self, reader: SegmentReader, name: str) -> np.ndarray:
        return np.fromiter(reader.column_reader(name, translate=False), np.int64, self.size)

    def _once(self, store: dict, key: str, compute) -> np.ndarray:
        found = store.get(key)
        if found is None:
            with self.lock:
                found = store.get(key)
                if found is None:
                    found = store[key] = compute()
        return found

    def field_lengths(self, reader: SegmentReader, fieldname: str) -> np.ndarray:
        """Every document's length in `fieldname` (what BM25 normalises by), as Whoosh reads it."""
        return self._once(
            self.lengths, fieldname, lambda: LENGTH_OF_BYTE[_length_bytes(reader, fieldname)]
        )

    def sort_key(self, reader: SegmentReader, name: str) -> np.ndarray:
        return self._once(self.sort_keys, name, lambda: self._column(reader, name))

    def live_documents(self, reader: SegmentReader) -> np.ndarray:
        """Which documents are not deleted."""
        count = reader.segment().deleted_count()
        found = self.live.get(count)
        if found is None:
            found = np.ones(self.size, dtype=bool)
            if count:
                found[np.fromiter(reader.segment().deleted_docs(), np.int64, count)] = False
            with self.lock:
                self.live = {count: found}
        return found


def _length_bytes(reader: SegmentReader, fieldname: str) -> np.ndarray:
    """The segment's length column of a field: one byte per document, zero when absent."""
    lengths = np.zeros(reader.doc_count_all(), dtype=np.uint8)
    # Read through the file the reader opened (whoosh_codec.StoredPerDocReader), which a merge
    # cannot take away; Whoosh 2.7.4 keeps the per-document reader on the segment reader.
    found = reader._perdoc.column_bytes(f"_{fieldname}_len")
    if found is not None:
        data = np.frombuffer(found, dtype=np.uint8)
        lengths[: len(data)] = data[: len(lengths)]
    return lengths


def _tags(reader: SegmentReader, size: int):
    """Tag names, and each document's tags as codes into them (document d's are
    codes[starts[d]:starts[d + 1]])."""
    names: list[str] = []
    docs, codes = [], []
    for code, term in enumerate(reader.lexicon("tags")):
        names.append(term.decode("utf-8"))
        found = np.fromiter(reader.postings("tags", term).all_ids(), np.int64)
        docs.append(found)
        codes.append(np.full(len(found), code, dtype=np.int64))
    docs_flat = np.concatenate(docs) if docs else np.zeros(0, np.int64)
    codes_flat = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    order = np.argsort(docs_flat, kind="stable")
    starts = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(docs_flat, minlength=size), out=starts[1:])
    return names, starts, codes_flat[order]


_cache: OrderedDict[str, SegmentData] = OrderedDict()
_lock = threading.Lock()


def segment_data(reader: SegmentReader) -> SegmentData:
    """The cached values of the segment `reader` reads (segment ids are unique random names)."""
    key = reader.segment().segment_id()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = SegmentData(reader)
    with _lock:
        _cache[key] = data
        while len(_cache) > CACHED_SEGMENTS:
            _cache.popitem(last=False)
    return data
