"""Whoosh's on-disk postings, written and read with fewer Python steps per posting.

Whoosh 2.7.4 (pinned) pickles each block of 128 postings as tuples (one Python object per id,
weight and position list), finds a document inside a block by stepping through it one posting at
a time, three method calls each, and decodes ids with a Python generator. Intersecting a rare word
with one found in most documents then spends most of a query unpickling and stepping through the
common word's blocks. This codec keeps Whoosh's W3 layout but pickles a block's ids and weights
as arrays and its position lists as one bytes object (all unpickled in C), and reads with a
matcher that bisects inside a block. The documents found and their scores are unchanged. An index
records its codec in each segment, so whatever reads it uses this codec too.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from itertools import accumulate

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ReadTooFar
from whoosh.util.numlists import delta_encode


class PackedValues:
    """A block's posting values (encoded position lists) as one bytes object and end offsets."""

    __slots__ = ("blob", "ends")

    def __init__(self, blob: bytes, ends: array) -> None:
        self.blob = blob
        self.ends = ends

    @classmethod
    def pack(cls, values: list[bytes]) -> PackedValues:
        return cls(b"".join(values), array("I", accumulate(map(len, values))))

    def __reduce__(self):
        return PackedValues, (self.blob, self.ends)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> bytes:
        start = self.ends[index - 1] if index else 0
        return self.blob[start : self.ends[index]]


class CompactPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with a block's ids, weights and values in C-level containers."""

    def _mini_ids(self):
        if self._byteids:
            return super()._mini_ids()
        return array("I", delta_encode(self._ids))

    def _mini_weights(self):
        weights = super()._mini_weights()
        # Whoosh buffers weights as 32-bit floats already; the array keeps them exactly.
        return array("f", weights) if isinstance(weights, tuple) else weights

    def _mini_values(self):
        values = super()._mini_values()
        return PackedValues.pack(values) if isinstance(values, tuple) and values else values


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


class CompactCodec(W3Codec):
    """Whoosh's W3 format with compact blocks, read with `BisectingMatcher`."""

    def postings_writer(self, dbfile, byteids=False):
        return CompactPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)
        offset, length = terminfo.extent()
        return BisectingMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
