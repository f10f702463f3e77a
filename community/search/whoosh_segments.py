"""What a query reads per document, loaded once per segment: tags, rank boosts, field lengths.

Segments never change once written (deletions are kept apart), so these are cached by segment id
and survive new index versions; only a new segment is read again. Whoosh would otherwise read a
column value per scored document, and its tag facet rebuilds the document → tags map per query.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict, defaultdict

from whoosh.reading import SegmentReader

from community.search.whoosh_index import BOOST_SCALE

CACHED_SEGMENTS = 64


class SegmentData:
    """Per-document values of one segment, indexed by the segment's document numbers."""

    def __init__(self, reader: SegmentReader) -> None:
        size = reader.doc_count_all()
        boosts = reader.column_reader("boost")
        self.boosts = array("d", ((value or BOOST_SCALE) / BOOST_SCALE for value in boosts))
        self.tags = _tags(reader, size)
        self.lengths: dict[str, array] = {}
        self.lock = threading.Lock()

    def field_lengths(self, reader: SegmentReader, fieldname: str) -> array:
        """Every document's length in `fieldname` (what BM25 normalises by)."""
        lengths = self.lengths.get(fieldname)
        if lengths is None:
            with self.lock:
                lengths = self.lengths.get(fieldname)
                if lengths is None:
                    length_of = reader.doc_field_length
                    lengths = array(
                        "I", (length_of(docnum, fieldname, 0) for docnum in range(len(self.tags)))
                    )
                    self.lengths[fieldname] = lengths
        return lengths


def _tags(reader: SegmentReader, size: int) -> list[tuple[str, ...]]:
    """The tags of every document; documents with the same tags share one tuple."""
    found: dict[int, list[str]] = defaultdict(list)
    for term in reader.lexicon("tags"):
        name = term.decode("utf-8")
        for docnum in reader.postings("tags", term).all_ids():
            found[docnum].append(name)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}
    tags: list[tuple[str, ...]] = [()] * size
    for docnum, names in found.items():
        key = tuple(names)
        tags[docnum] = shared.setdefault(key, key)
    return tags


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
