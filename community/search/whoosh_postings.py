"""Whoosh's on-disk postings, read with fewer Python steps per posting.

Whoosh 2.7.4 (pinned) finds a document inside a block of postings by stepping through the block
one posting at a time, three method calls each, and decodes a block's ids with a Python generator.
Intersecting a rare word with a common one (淘宝 and 靠谱) then spends most of a query in those
loops. This codec writes the same files as Whoosh's own (W3) and reads them with a matcher that
bisects inside a block and decodes ids in C; the documents found and their scores are unchanged.
Indexes record their codec, so indexes written with it read with it.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.matching import ReadTooFar


class BisectingMatcher(W3LeafMatcher):
    """A W3 leaf matcher whose `skip_to` skips whole blocks, then bisects inside one."""

    def skip_to(self, targetid):
        if self._atend or self._i >= self._blocklength:
            raise ReadTooFar
        while targetid > self._maxid:
            if self._lastblock:
                self._atend = True
                return
            self._goto(self._nextoffset)
        if self._ids is None:
            self._read_ids()
        if targetid > self._ids[self._i]:
            self._i = bisect_left(self._ids, targetid, self._i)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        # Stored as gaps unless they are single bytes (term vectors).
        self._ids = ids if self._byteids else tuple(accumulate(ids))


class BisectingCodec(W3Codec):
    """Whoosh's W3 format, read with `BisectingMatcher`."""

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BisectingMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
