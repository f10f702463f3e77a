"""Tag facets for Whoosh, from a per-segment map of document → tags built once and cached.

Whoosh's own overlapping FieldFacet rebuilds that map on every query; segments never change
once written, so the map is kept per segment (the newest few segments at most).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict

from whoosh import sorting

CACHED_SEGMENTS = 64
# Segment ids are random names, unique across indexes.
_cache: OrderedDict[str, dict[int, tuple[str, ...]]] = OrderedDict()
_lock = threading.Lock()


def segment_tags(reader) -> dict[int, tuple[str, ...]]:
    """Tags per document number of one segment reader."""
    key = reader.segment().segment_id()
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    tags: dict[int, list[str]] = defaultdict(list)
    for term in reader.lexicon("tags"):
        name = term.decode("utf-8")
        for docnum in reader.postings("tags", term).all_ids():
            tags[docnum].append(name)
    built = {docnum: tuple(names) for docnum, names in tags.items()}
    with _lock:
        _cache[key] = built
        while len(_cache) > CACHED_SEGMENTS:
            _cache.popitem(last=False)
    return built


class TagCategorizer(sorting.Categorizer):
    allow_overlap = True

    def set_searcher(self, segment_searcher, docoffset):
        self.tags = segment_tags(segment_searcher.reader())

    def keys_for(self, matcher, docid):
        return self.tags.get(docid, ())


class TagFacet(sorting.FacetType):
    """Counts of matching documents per tag."""

    maptype = sorting.Count

    def categorizer(self, global_searcher):
        return TagCategorizer()
