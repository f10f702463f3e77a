"""A batch of documents' text as arrays of term occurrences, for rebuilding the index in bulk.

The terms, positions and weights are those `WeightedSections.index` gives one document at a
time (whoosh_index.py), found for thousands of documents per call: their sections are folded
and segmented as one string, what each distinct jieba word yields is worked out once, and the
rest is array arithmetic. Each occurrence is one 64-bit key — term, document, section,
position — so that sorting the keys of a whole segment puts its postings in order.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import rjieba

from community.search.analysis import LATIN_WORD, segmenter
from community.search.bulk_folding import fold_many

logger = logging.getLogger(__name__)

# Whitespace to jieba, so always a word of its own; it never yields a term.
SEPARATOR = "\x0c"
POSITION_BITS, SECTION_BITS, DOC_BITS, TERM_BITS = 21, 2, 17, 24
SECTION_SHIFT = POSITION_BITS
DOC_SHIFT = SECTION_SHIFT + SECTION_BITS
TERM_SHIFT = DOC_SHIFT + DOC_BITS
POSITION_LIMIT = 1 << POSITION_BITS
DOC_LIMIT = 1 << DOC_BITS
TERM_LIMIT = 1 << TERM_BITS
# A word table's key part holds the position offset of a token's later words in these bits.
OFFSET_MASK = np.uint64((1 << POSITION_BITS) - 1)


def _bmp_table(ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    table = np.zeros(0x10000, dtype=bool)
    for low, high in ranges:
        table[low : high + 1] = True
    return table


# What analysis.CJK matches: three BMP blocks by table, one range beyond.
CJK_BMP = _bmp_table(((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)))
ASTRAL_CJK = (0x20000, 0x2FFFF)


class Terms:
    """One field's terms in one segment, numbered as they first appear."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.texts: list[str] = []

    def number(self, text: str) -> int:
        found = self.numbers.get(text)
        if found is None:
            found = self.numbers[text] = len(self.texts)
            self.texts.append(text)
        return found

    def __len__(self) -> int:
        return len(self.texts)


class Growing:
    """An integer array that grows at its end (doubling), for tables indexed by word number."""

    def __init__(self, dtype=np.int64) -> None:
        self.data = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: Sequence[int]) -> None:
        needed = self.size + len(values)
        if needed > len(self.data):
            grown = np.zeros(max(needed, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : needed] = values
        self.size = needed

    def view(self) -> np.ndarray:
        return self.data[: self.size]


class WordNumbers(dict):
    """jieba word → word number; a new word is analysed and entered into its table."""

    def __init__(self, table: WordTable) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, word: str) -> int:
        number = self[word] = self.table.add(word)
        return number


class WordTable:
    """What each distinct jieba word yields in the words field: its terms, at which position
    offsets, and how many positions it takes (see `analysis.word_tuples`). Each term it yields
    is kept as its part of an occurrence key (`pack`): term and position offset."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.numbers = WordNumbers(self)
        self.term_counts, self.advances, self.firsts = Growing(), Growing(), Growing()
        self.key_parts = Growing(np.uint64)
        self.longest_offset = 0
        self.pending: list[tuple[list[int], list[int], int]] = []
        self.numbers[SEPARATOR] = self.add(SEPARATOR)

    def add(self, word: str) -> int:
        parts = segmenter().parts_of(word)
        if parts is None:
            found: list[tuple[str, int]] = []
            advance = 0
        elif parts.cjk is not None:
            found = [(sub, 0) for sub in parts.sub_words] + [(parts.cjk, 0)]
            advance = 1
        else:
            found = [(stem, offset) for offset, (_s, _e, stem) in enumerate(parts.latin)]
            advance = len(parts.latin)
        number = self.term_counts.size + len(self.pending)
        self.pending.append(
            ([self.terms.number(text) for text, _ in found], [o for _, o in found], advance)
        )
        return number

    def settle(self) -> None:
        """Move the words added since the last call into the arrays."""
        if not self.pending:
            return
        start = self.key_parts.size
        counts = [len(terms) for terms, _, _ in self.pending]
        self.term_counts.extend(counts)
        self.advances.extend([advance for _, _, advance in self.pending])
        self.firsts.extend((start + np.cumsum([0, *counts[:-1]])).tolist())
        self.key_parts.extend(
            [
                (term << TERM_SHIFT) | offset
                for terms, offsets, _ in self.pending
                for term, offset in zip(terms, offsets, strict=True)
            ]
        )
        offsets = [o for _, found, _ in self.pending for o in found]
        self.longest_offset = max([self.longest_offset, *offsets])
        self.pending = []


def section_bases(used: np.ndarray, nonempty: np.ndarray, sections: int, gap: int):
    """Where each section's positions start in its document: an empty section takes none, any
    other one its positions plus `gap` (as `WeightedSections.index` counts)."""
    step = np.where(nonempty, np.maximum(used - 1, 0) + gap, 0).reshape(-1, sections)
    return (np.cumsum(step, axis=1) - step).reshape(-1)


def pack(terms, docs, sections, positions) -> np.ndarray:
    kept = positions < POSITION_LIMIT
    if not kept.all():
        logger.warning("search: %d word positions past the limit left out", int((~kept).sum()))
        terms, docs, sections, positions = (
            terms[kept],
            docs[kept],
            sections[kept],
            positions[kept],
        )
    return (
        (terms.astype(np.uint64) << np.uint64(TERM_SHIFT))
        | (docs.astype(np.uint64) << np.uint64(DOC_SHIFT))
        | (sections.astype(np.uint64) << np.uint64(SECTION_SHIFT))
        | positions.astype(np.uint64)
    )


class BatchText:
    """One batch's sections (`per_document` of each document, in order), folded once for every
    text field."""

    def __init__(self, sections: list[str], per_document: int) -> None:
        self.per_document = per_document
        self.nonempty = np.array([bool(text) for text in sections])
        clean = [text.replace(SEPARATOR, " ") for text in sections]
        self.folded = fold_many(clean, SEPARATOR)


@dataclass
class Occurrences:
    """A batch's term occurrences: the term part of each one's key (`parts`: the term's number,
    plus the position offset of the later words a token yields), its section (an index into
    the batch's sections) and its token's position within that section. `used` counts the
    positions each section takes."""

    parts: np.ndarray
    section: np.ndarray
    position: np.ndarray
    used: np.ndarray
    longest_offset: int = 0


def word_occurrences(batch: BatchText, table: WordTable) -> Occurrences:
    """The segmented words of every section of a batch."""
    tokens = rjieba.cut(batch.folded, True)
    words = np.fromiter(map(table.numbers.__getitem__, tokens), np.int64, len(tokens))
    table.settle()
    section = np.cumsum(words == 0)
    advance = table.advances.view()[words]
    before = np.cumsum(advance) - advance
    used = np.bincount(section, weights=advance, minlength=len(batch.nonempty)).astype(np.int64)
    counts = table.term_counts.view()[words]
    token = np.repeat(np.arange(len(words)), counts)
    within = np.arange(len(token)) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = table.firsts.view()[words][token] + within
    return Occurrences(
        parts=table.key_parts.view()[flat],
        section=section[token],
        position=(before - (np.cumsum(used) - used)[section])[token],
        used=used,
        longest_offset=table.longest_offset,
    )


def field_keys(
    found: Occurrences,
    chosen: tuple[tuple[int | None, ...], ...],
    kinds: np.ndarray,
    batch: BatchText,
    first_doc: int,
    gap: int,
) -> np.ndarray:
    """One field's occurrence keys from a batch's occurrences (documents numbered from
    `first_doc`): `chosen[kind]` names the section that fills each of the field's weights for
    a document of that kind (`kinds`: one per document), and positions restart for the field
    as `WeightedSections.index` counts them."""
    per, weights = batch.per_document, len(chosen[0])
    table = np.full((len(chosen), per), -1, dtype=np.int64)
    for kind, sections in enumerate(chosen):
        for weight, section in enumerate(sections):
            if section is not None:
                table[kind, section] = weight
    count = len(batch.nonempty)
    section_doc = first_doc + np.arange(count) // per
    slot = table[kinds[section_doc - first_doc], np.arange(count) % per]
    valid = slot >= 0
    into = (section_doc[valid] - first_doc) * weights + slot[valid]
    used = np.zeros(len(kinds) * weights, dtype=np.int64)
    nonempty = np.zeros(len(kinds) * weights, dtype=bool)
    used[into], nonempty[into] = found.used[valid], batch.nonempty[valid]
    base = np.zeros(count, dtype=np.int64)
    base[valid] = section_bases(used, nonempty, weights, gap)[into]

    kept = valid[found.section]
    sections = found.section[kept]
    positions = base[sections] + found.position[kept]
    parts = found.parts[kept]
    if len(positions) and positions.max() + found.longest_offset >= POSITION_LIMIT:
        return pack(
            (parts >> np.uint64(TERM_SHIFT)).astype(np.int64),
            section_doc[sections],
            slot[sections],
            positions + (parts & OFFSET_MASK).astype(np.int64),
        )
    # Document and weight of each section, in their bits of a key.
    section_part = (section_doc.astype(np.uint64) << np.uint64(DOC_SHIFT)) | (
        np.maximum(slot, 0).astype(np.uint64) << np.uint64(SECTION_SHIFT)
    )
    return parts + section_part[sections] + positions.astype(np.uint64)


class KeyTable:
    """Non-negative integer keys → numbers, an open-addressing hash table looked up for whole
    arrays of keys at once."""

    def __init__(self) -> None:
        self._allocate(1 << 16)

    def _allocate(self, size: int) -> None:
        self.keys = np.full(size, -1, dtype=np.int64)
        self.numbers = np.zeros(size, dtype=np.int64)
        self.count = 0
        self.shift = np.uint64(64 - size.bit_length() + 1)

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        mixed = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        return (mixed >> self.shift).astype(np.int64)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """Each key's number, or -1 where it has none."""
        found = np.full(len(keys), -1, dtype=np.int64)
        slots = self._slots(keys)
        pending = np.arange(len(keys))
        mask = len(self.keys) - 1
        while len(pending):
            there = self.keys[slots[pending]]
            hit = there == keys[pending]
            found[pending[hit]] = self.numbers[slots[pending[hit]]]
            pending = pending[~hit & (there != -1)]
            slots[pending] = (slots[pending] + 1) & mask
        return found

    def add(self, keys: list[int], numbers: list[int]) -> None:
        """Enter keys not yet in the table."""
        if 2 * (self.count + len(keys)) > len(self.keys):
            old_keys, old_numbers = self.keys[self.keys >= 0], self.numbers[self.keys >= 0]
            size = len(self.keys)
            while 2 * (self.count + len(keys)) > size:
                size *= 2
            self._allocate(size)
            self.add(old_keys.tolist(), old_numbers.tolist())
        mask = len(self.keys) - 1
        table, values = self.keys, self.numbers
        for key, number, slot in zip(
            keys, numbers, self._slots(np.array(keys, dtype=np.int64)).tolist(), strict=True
        ):
            while table[slot] != -1:
                slot = (slot + 1) & mask
            table[slot], values[slot] = key, number
        self.count += len(keys)


class GramTerms:
    """The bigram field's terms in one segment: CJK bigrams (and lone characters) by their
    code-point keys, Latin words by their text."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.table = KeyTable()
        self.latin: dict[str, int] = {}

    def cjk_numbers(self, keys: np.ndarray) -> np.ndarray:
        found = self.table.find(keys)
        missing = found < 0
        if missing.any():
            new = np.unique(keys[missing]).tolist()
            texts = [
                chr(key >> 21) + chr(key & 0x1FFFFF) if key >= 1 << 21 else chr(key) for key in new
            ]
            self.table.add(new, list(map(self.terms.number, texts)))
            found[missing] = self.table.find(keys[missing])
        return found

    def latin_number(self, word: str) -> int:
        number = self.latin.get(word)
        if number is None:
            number = self.latin[word] = self.terms.number(segmenter().stem(word))
        return number


def gram_occurrences(batch: BatchText, wanted: frozenset[int], grams: GramTerms) -> Occurrences:
    """The bigram field's terms in the sections of each document numbered in `wanted`.

    CJK runs become overlapping bigrams (a lone character stays whole) and the Latin words
    between them their stems, numbered in text order (`analysis.bigram_tuples`).
    """
    per = batch.per_document
    points = np.frombuffer(batch.folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    section = np.cumsum(points == ord(SEPARATOR))
    # The wanted sections of each document, still kept apart by their separators.
    chosen = np.zeros(per, dtype=bool)
    chosen[list(wanted)] = True
    keep = chosen[section % per]
    points, section = points[keep], section[keep]
    text = points.tobytes().decode("utf-32-le", "surrogatepass")
    cjk = CJK_BMP[np.minimum(points, 0xFFFF)]
    cjk |= (points >= ASTRAL_CJK[0]) & (points <= ASTRAL_CJK[1])
    points = points.astype(np.int64)
    after = np.append(cjk[1:], False)
    before = np.insert(cjk[:-1], 0, False)
    pairs = np.flatnonzero(cjk & after)
    singles = np.flatnonzero(cjk & ~after & ~before)
    unit_term = np.full(len(points), -1, dtype=np.int64)
    unit_term[pairs] = grams.cjk_numbers((points[pairs] << 21) | points[pairs + 1])
    unit_term[singles] = grams.cjk_numbers(points[singles])
    number = grams.latin_number
    for match in LATIN_WORD.finditer(text):
        unit_term[match.start()] = number(match.group())
    at = np.flatnonzero(unit_term >= 0)
    unit_section = section[at]
    used = np.bincount(unit_section, minlength=len(batch.nonempty))
    return Occurrences(
        parts=unit_term[at].astype(np.uint64) << np.uint64(TERM_SHIFT),
        section=unit_section,
        position=np.arange(len(at)) - (np.cumsum(used) - used)[unit_section],
        used=used,
    )
