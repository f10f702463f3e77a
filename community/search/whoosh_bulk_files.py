"""Whoosh's segment files written from arrays: postings records, the term dictionary, columns.

Each writer produces the bytes Whoosh's own writers (with our codec) would, for all the terms
or documents of a segment at once: the postings records of a field as one array of 32-bit
words, the term infos as one structured array, the term dictionary in one pass, stored fields
as one uncompressed variable-bytes column.
"""

from __future__ import annotations

import pickle
from array import array
from dataclasses import dataclass
from hashlib import md5

import numpy as np
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.util.numeric import _length_byte_cache

from community.search.whoosh_codec import HAS_WEIGHTS, MAGIC, NO_VALUES, POSITIONS, VALUE_BYTES

WORD = np.dtype("<u4")
MAGIC_WORD = np.frombuffer(MAGIC, dtype=WORD)[0]
HEADER_WORDS = 5
LENGTH_BYTES = np.array(_length_byte_cache, dtype=np.int64)
# W3TermInfo.to_bytes: flags, weight, doc count, min/max length bytes, max weight, first and
# last id, then the postings' offset and length.
TERM_INFO = np.dtype(
    [
        ("inlined", "u1"),
        ("weight", ">f4"),
        ("df", ">u4"),
        ("minlength", "u1"),
        ("maxlength", "u1"),
        ("maxweight", ">f4"),
        ("minid", ">u4"),
        ("maxid", ">u4"),
        ("offset", ">i8"),
        ("length", ">i4"),
    ]
)
ENTRY_LENGTHS = np.dtype([("key", ">i4"), ("value", ">i4")])
# A hash table slot: the key's hash and where its entry starts.
POINTER = np.dtype([("hash", ">u4"), ("position", ">i8")])
STORED_OFFSETS_FROM = 2**15


@dataclass
class FieldPostings:
    """A field's postings in one segment, term by term."""

    # In the order of the records (not necessarily the dictionary's byte order).
    terms: list[bytes]
    # Term i's postings are docs[bounds[i]:bounds[i + 1]] (and the same of weights, counts).
    bounds: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    # Positional fields: positions per posting, and all positions in posting order.
    counts: np.ndarray | None = None
    positions: np.ndarray | None = None
    # Frequency fields: each posting's frequency, Whoosh's 4-byte value.
    frequencies: np.ndarray | None = None


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """Whoosh's one-byte approximation of each length (`length_to_byte`)."""
    return np.minimum(np.searchsorted(LENGTH_BYTES, lengths, side="left"), 255).astype(np.uint8)


def records(postings: FieldPostings) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Every term's postings record (whoosh_codec.py) end to end, and each one's start and
    length in bytes."""
    firsts = postings.bounds[:-1]
    per_term = np.diff(postings.bounds)
    weighted = ~np.minimum.reduceat(postings.weights == 1.0, firsts).astype(bool)
    if postings.counts is not None:
        kind, extra = POSITIONS, np.add.reduceat(postings.counts, firsts)
        tail = per_term + extra
    elif postings.frequencies is not None:
        kind, extra = VALUE_BYTES, 4 * per_term
        tail = 2 * per_term
    else:
        kind = NO_VALUES
        extra = tail = np.zeros(len(per_term), np.int64)
    words = HEADER_WORDS + per_term * (1 + weighted) + tail
    starts = np.concatenate(([0], np.cumsum(words)[:-1]))
    out = np.zeros(int(words.sum()), dtype=WORD)
    for offset, value in enumerate(
        (MAGIC_WORD, per_term, kind, extra, np.where(weighted, HAS_WEIGHTS, 0))
    ):
        out[starts + offset] = value
    ranks = np.arange(len(postings.docs))

    def place(section_start: np.ndarray, values: np.ndarray, chosen=None) -> None:
        """Put each term's slice of `values` at its record's `section_start`."""
        where = np.repeat(section_start - firsts, per_term) + ranks
        if chosen is None:
            out[where] = values
        else:
            out[where[chosen]] = values[chosen]

    ids_start = starts + HEADER_WORDS
    place(ids_start, postings.docs)
    place(ids_start + per_term, postings.weights.view(WORD), np.repeat(weighted, per_term))
    after = ids_start + per_term * (1 + weighted)
    if postings.counts is not None:
        place(after, postings.counts)
        first_positions = np.concatenate(([0], np.cumsum(extra)[:-1]))
        where = np.repeat(after + per_term - first_positions, extra)
        out[where + np.arange(len(postings.positions))] = postings.positions
    elif postings.frequencies is not None:
        place(after, 4 * (ranks - np.repeat(firsts, per_term) + 1))
        place(after + per_term, postings.frequencies.astype(">u4").view(WORD))
    return out.tobytes(), 4 * starts, 4 * words


def term_infos(postings: FieldPostings, lengths, offsets, sizes) -> list[bytes]:
    """Each term's W3TermInfo bytes (statistics, where its record lies)."""
    firsts = postings.bounds[:-1]
    weights = postings.weights
    info = np.zeros(len(postings.terms), dtype=TERM_INFO)
    info["weight"] = np.add.reduceat(weights.astype(np.float64), firsts)
    info["df"] = np.diff(postings.bounds)
    if lengths is not None:
        posting_lengths = lengths[postings.docs]
        info["minlength"] = length_bytes(np.minimum.reduceat(posting_lengths, firsts))
        info["maxlength"] = length_bytes(np.maximum.reduceat(posting_lengths, firsts))
    info["maxweight"] = np.maximum.reduceat(weights, firsts)
    info["minid"] = postings.docs[firsts]
    info["maxid"] = postings.docs[postings.bounds[1:] - 1]
    info["offset"] = offsets
    info["length"] = sizes
    blob = info.tobytes()
    size = TERM_INFO.itemsize
    return [blob[index * size : (index + 1) * size] for index in range(len(info))]


class BulkHashWriter(OrderedHashWriter):
    """Whoosh's ordered hash file (the term dictionary), taking sorted keys in bulk."""

    def add_sorted(self, keys: list[bytes], values: list[bytes]) -> None:
        if not keys:
            return
        if keys[0] <= self.lastkey:
            raise ValueError("keys must increase")
        sizes = np.zeros(len(keys), dtype=ENTRY_LENGTHS)
        sizes["key"] = [len(key) for key in keys]
        sizes["value"] = [len(value) for value in values]
        heads = sizes.tobytes()
        step = ENTRY_LENGTHS.itemsize
        start = self.dbfile.tell()
        self.dbfile.write(
            b"".join(
                heads[index * step : (index + 1) * step] + key + value
                for index, (key, value) in enumerate(zip(keys, values, strict=True))
            )
        )
        ends = np.cumsum(step + sizes["key"].astype(np.int64) + sizes["value"])
        positions = (start + np.concatenate(([0], ends[:-1]))).tolist()
        self.index.extend(positions)
        buckets = self.buckets
        for key, position in zip(keys, positions, strict=True):
            # Whoosh's MD5 hash: the digest's last four bytes.
            hashed = int.from_bytes(md5(key).digest()[-4:], "big")  # noqa: S324
            buckets[hashed & 255].append((hashed, position))
        self.lastkey = keys[-1]

    def _write_hashes(self):
        """Whoosh's 256 hash tables (linear probing), each written in one piece."""
        for entries in self.buckets:
            slots = 2 * len(entries)
            self.directory.append((self.dbfile.tell(), slots))
            hashes, places = [0] * slots, [0] * slots
            for hashed, position in entries:
                slot = (hashed >> 8) % slots
                while places[slot]:
                    slot = (slot + 1) % slots
                hashes[slot], places[slot] = hashed, position
            table = np.zeros(slots, dtype=POINTER)
            table["hash"], table["position"] = hashes, places
            self.dbfile.write(table.tobytes())


def stored_column(values: list[dict]) -> bytes:
    """Stored fields as a `PickleColumn(VarBytesColumn())` (whoosh_codec.STORED_COLUMN)."""
    return var_bytes_column(
        [pickle.dumps(value, pickle.HIGHEST_PROTOCOL) if value else b"" for value in values]
    )


def text_column(texts: list[str]) -> bytes:
    """Texts as UTF-8 in a `VarBytesColumn` (whoosh_codec.TEXT_COLUMN)."""
    return var_bytes_column(list(map(str.encode, texts)))


def var_bytes_column(items: list[bytes]) -> bytes:
    """The values, then their lengths (and, for many documents, offsets), as Whoosh's
    variable-bytes column lays them out."""
    lengths = np.fromiter(map(len, items), np.int64, len(items))
    parts = [b"".join(items)]
    length_code = _typecode(int(lengths.max(initial=0)))
    parts.append(_big_endian(lengths, length_code))
    tail = length_code
    if len(items) > STORED_OFFSETS_FROM:
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        offset_code = _typecode(int(offsets.max(initial=0)))
        parts.append(_big_endian(offsets, offset_code))
        tail += offset_code + "X"
    return b"".join(parts) + tail.encode("ascii")


def _typecode(largest: int) -> str:
    for code, limit in (("B", 2**8), ("H", 2**16), ("i", 2**31), ("I", 2**32)):
        if largest < limit:
            return code
    raise OverflowError("stored fields past 4 GB in one segment")


def _big_endian(values: np.ndarray, code: str) -> bytes:
    packed = array(code, values.tolist())
    packed.byteswap()
    return packed.tobytes()


def numeric_column(values: np.ndarray, typecode: str) -> bytes:
    """A `NumericColumn` with a value for every document (big-endian, as Whoosh packs it)."""
    return values.astype(f">{typecode}").tobytes()
