"""Whole segments written at once from batches of documents, for a rebuild of the index.

Whoosh's writer takes a document at a time — analysis, then a Python tuple per posting through
an external sort — which bounds a rebuild at a few hundred questions a second. Here a batch's
fields come as columns (`batch_fields`), its text becomes occurrence keys (bulk_terms.py), a
segment's keys are sorted once, and its files are written from arrays (whoosh_bulk_files.py).
They are the files a Whoosh writer with our codec makes — term dictionary, postings, length and
sort columns, stored fields — so the index then takes changes from Whoosh's writer as usual; a
test builds the same documents both ways and compares every term, posting and stored value.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain

import numpy as np
from whoosh.analysis import IDTokenizer, LowercaseFilter, RegexTokenizer, StripFilter
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import BOOLEAN, ID, KEYWORD
from whoosh.system import pack_ushort

from community.search.bulk_terms import (
    DOC_BITS,
    DOC_LIMIT,
    DOC_SHIFT,
    SECTION_SHIFT,
    TERM_LIMIT,
    BatchText,
    GramTerms,
    Terms,
    WordTable,
    field_keys,
    gram_occurrences,
    word_occurrences,
)
from community.search.stored import STORED_TEXTS
from community.search.whoosh_bulk_files import (
    BulkHashWriter,
    FieldPostings,
    length_bytes,
    numeric_column,
    records,
    stored_column,
    term_infos,
    text_column,
)
from community.search.whoosh_codec import ArrayCodec, text_column_name
from community.search.whoosh_schema import (
    FIELD_SECTIONS,
    SECTION_COUNT,
    SECTION_GAP,
    SortColumn,
    WeightedSections,
    batch_fields,
)

# Documents per segment; fewer when a field's terms near what a key can number.
SEGMENT_DOCUMENTS = 100_000
TERM_HEADROOM = 1 << 20
POSITION_MASK = np.uint64((1 << SECTION_SHIFT) - 1)
SECTION_MASK = np.uint64(3)
DOC_MASK = np.uint64(DOC_LIMIT - 1)
LOW_32 = np.uint64(0xFFFFFFFF)
THIRTY_TWO = np.uint64(32)


def keyword_splitter(field) -> Callable[[str], list[str]]:
    """How a KEYWORD field's analyzer splits a value into terms (a regular expression, then
    stripping and lower-casing), exactly."""
    items = getattr(field.analyzer, "items", [field.analyzer])
    tokenizer, filters = items[0], items[1:]
    if not isinstance(tokenizer, RegexTokenizer) or tokenizer.gaps:
        raise TypeError(f"no bulk indexing through {tokenizer!r}")
    steps = []
    for found in filters:
        if isinstance(found, StripFilter):
            steps.append(str.strip)
        elif isinstance(found, LowercaseFilter):
            steps.append(str.lower)
        else:
            raise TypeError(f"no bulk indexing through {found!r}")
    find = tokenizer.expression.findall

    def split(value: str) -> list[str]:
        terms = find(value)
        for step in steps:
            terms = list(map(step, terms))
        return terms

    return split


class SmallField:
    """The postings of a one-value field (an id, a flag, keywords) in one segment, as
    (term << 32 | document) keys; its terms as Whoosh's field and analyzer make them."""

    def __init__(self, field) -> None:
        self.field = field
        self.terms = Terms()
        self.keys: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        if isinstance(field, BOOLEAN):
            self.add = self._add_flags
        elif isinstance(field, ID) and isinstance(field.analyzer, IDTokenizer):
            self.add = self._add_ids
        elif isinstance(field, KEYWORD):
            self.split = keyword_splitter(field)
            self.add = self._add_keywords
        else:
            raise TypeError(f"no bulk indexing for {type(field).__name__} fields")

    def _keep(self, first: int, numbers, docs, counts=None) -> None:
        self.keys.append((np.asarray(numbers, dtype=np.uint64) << THIRTY_TWO) | docs)
        if counts is not None:
            self.lengths.append(counts)

    def _add_flags(self, first: int, values: list) -> None:
        numbers = np.where(
            np.array(values, dtype=bool), self.terms.number("t"), self.terms.number("f")
        )
        self._keep(first, numbers, np.arange(first, first + len(values), dtype=np.uint64))

    def _add_ids(self, first: int, values: list) -> None:
        present = [index for index, value in enumerate(values) if value is not None]
        numbers = [self.terms.number(values[index]) for index in present]
        self._keep(first, numbers, first + np.array(present, dtype=np.uint64))

    def _add_keywords(self, first: int, values: list) -> None:
        found = [self.split(value) if value is not None else [] for value in values]
        counts = np.fromiter(map(len, found), np.int64, len(found))
        numbers = list(map(self.terms.number, chain.from_iterable(found)))
        docs = np.repeat(np.arange(first, first + len(values), dtype=np.uint64), counts)
        self._keep(first, numbers, docs, counts if self.field.scorable else None)

    def postings(self) -> FieldPostings:
        """Its postings; a term used twice in a document counts twice."""
        keys = np.concatenate(self.keys) if self.keys else np.zeros(0, np.uint64)
        keys.sort()
        starts = group_starts(keys)
        frequencies = np.diff(np.append(starts, len(keys)))
        pairs = keys[starts]
        posting_terms = pairs >> THIRTY_TWO
        firsts = group_starts(posting_terms)
        format_ = self.field.format
        encoded = [text.encode("utf-8") for text in self.terms.texts]
        return FieldPostings(
            terms=[encoded[number] for number in posting_terms[firsts].tolist()],
            bounds=np.append(firsts, len(starts)),
            docs=(pairs & LOW_32).astype(np.uint32),
            weights=(frequencies * format_.field_boost).astype(np.float32),
            frequencies=frequencies if format_.fixed_value_size() else None,
        )


def group_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array."""
    if not len(values):
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


def text_postings(
    encoded: list[bytes], keys: np.ndarray, weights: tuple[float, ...]
) -> FieldPostings:
    """A text field's postings from its occurrence keys (bulk_terms.py); `encoded` holds the
    terms the keys number, as bytes."""
    keys.sort()
    pairs = keys >> np.uint64(DOC_SHIFT)
    starts = group_starts(pairs)
    section_weights = np.array(weights, dtype=np.float64)[
        (keys >> np.uint64(SECTION_SHIFT)) & SECTION_MASK
    ]
    posting_pairs = pairs[starts]
    posting_terms = posting_pairs >> np.uint64(DOC_BITS)
    firsts = group_starts(posting_terms)
    posting_weights = (
        np.add.reduceat(section_weights, starts) if len(starts) else np.zeros(0)
    ).astype(np.float32)
    return FieldPostings(
        terms=[encoded[number] for number in posting_terms[firsts].tolist()],
        bounds=np.append(firsts, len(starts)),
        docs=(posting_pairs & DOC_MASK).astype(np.uint32),
        weights=posting_weights,
        counts=np.diff(np.append(starts, len(keys))),
        positions=(keys & POSITION_MASK).astype(np.uint32),
    )


# The sections the bigram fields read.
GRAM_SECTIONS = frozenset(
    section
    for name, chosen in FIELD_SECTIONS.items()
    if name.endswith("grams")
    for sections in chosen
    for section in sections
    if section is not None
)


class SegmentBuilder:
    """Fills one segment after another from batches of documents."""

    def __init__(self, storage, schema, indexname: str) -> None:
        self.storage, self.schema, self.indexname = storage, schema, indexname
        self.codec = ArrayCodec()
        self.text_fields = {
            name: field for name, field in schema.items() if isinstance(field, WeightedSections)
        }
        for name, field in schema.items():
            if field.column_type and not isinstance(field, SortColumn):
                raise TypeError(f"no bulk indexing for the column of {name}")
        self.segments: list = []
        self._start()

    def _start(self) -> None:
        self.segment = self.codec.new_segment(self.storage, self.indexname)
        self.doc_count = 0
        # The word fields share one numbering of their terms, the bigram fields another.
        self.terms = {"words": Terms(), "grams": Terms()}
        self.word_table = WordTable(self.terms["words"])
        self.grams = GramTerms(self.terms["grams"])
        self.keys: dict[str, list[np.ndarray]] = {name: [] for name in self.text_fields}
        self.small = {
            name: SmallField(field)
            for name, field in self.schema.items()
            if field.indexed and name not in self.text_fields
        }
        self.stored: list[dict] = []
        self.texts: dict[str, list[str]] = {name: [] for name in STORED_TEXTS}
        self.columns: dict[str, list[np.ndarray]] = {
            name: [] for name, field in self.schema.items() if field.column_type
        }

    def add_batch(self, docs: list) -> None:
        """Index a batch of SearchDocuments."""
        fields = batch_fields(docs)
        first = self.doc_count
        batch = BatchText(list(chain.from_iterable(fields["sections"])), SECTION_COUNT)
        kinds = np.array(fields["openness"], dtype=np.int64)
        found = {
            "words": word_occurrences(batch, self.word_table),
            "grams": gram_occurrences(batch, GRAM_SECTIONS, self.grams),
        }
        for name, field in self.text_fields.items():
            self.keys[name].append(
                field_keys(
                    found[field.kind], FIELD_SECTIONS[name], kinds, batch, first, SECTION_GAP
                )
            )
        for name, small in self.small.items():
            small.add(first, fields[name])
        stored = [
            name
            for name in self.schema.stored_names()
            if name in fields and name not in STORED_TEXTS
        ]
        for values in zip(*(fields[name] for name in stored), strict=True):
            self.stored.append(
                {
                    name: value
                    for name, value in zip(stored, values, strict=True)
                    if value is not None
                }
            )
        for name in STORED_TEXTS:
            self.texts[name] += fields[name]
        for name, values in self.columns.items():
            values.append(self.schema[name].to_column_array(fields[name]))
        self.doc_count += len(docs)
        if self.doc_count + len(docs) > SEGMENT_DOCUMENTS or self._near_term_limit():
            self.finish_segment()

    def _near_term_limit(self) -> bool:
        return any(len(terms) > TERM_LIMIT - TERM_HEADROOM for terms in self.terms.values())

    def finish(self) -> list:
        """Write the segment being filled (if any); every segment written, in order."""
        if self.doc_count:
            self.finish_segment()
        return self.segments

    def finish_segment(self) -> None:
        segment, storage = self.segment, self.storage
        lengths: dict[str, np.ndarray] = {}
        fields: dict[str, FieldPostings] = {}
        encoded = {
            kind: [text.encode("utf-8") for text in terms.texts]
            for kind, terms in self.terms.items()
        }
        for name, field in self.text_fields.items():
            keys = np.concatenate(self.keys[name]) if self.keys[name] else np.zeros(0, "u8")
            docs = ((keys >> np.uint64(DOC_SHIFT)) & DOC_MASK).astype(np.int64)
            lengths[name] = np.bincount(docs, minlength=self.doc_count)
            fields[name] = text_postings(encoded[field.kind], keys, field.weights)
        for name, small in self.small.items():
            if small.field.scorable:
                lengths[name] = np.concatenate(small.lengths)
            fields[name] = small.postings()
        terms_file = BulkHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        fieldmap = terms_file.extras["fieldmap"] = {}
        postings_file = segment.create_file(storage, W3Codec.POSTS_EXT)
        for name in sorted(fields):
            postings = fields[name]
            if not postings.terms:
                continue
            fieldmap[name] = len(fieldmap)
            blob, starts, sizes = records(postings)
            infos = term_infos(postings, lengths.get(name), postings_file.tell() + starts, sizes)
            postings_file.write(blob)
            prefix = pack_ushort(fieldmap[name])
            order = sorted(range(len(infos)), key=postings.terms.__getitem__)
            terms_file.add_sorted(
                [prefix + postings.terms[index] for index in order], [infos[i] for i in order]
            )
        terms_file.close()
        postings_file.close()
        self._write_columns(lengths)
        segment.set_doc_count(self.doc_count)
        segment._fieldlengths = {name: int(found.sum()) for name, found in lengths.items()}
        self.segments.append(segment)
        self._start()

    def _write_columns(self, lengths: dict[str, np.ndarray]) -> None:
        """Stored fields, field lengths and sort columns, as Whoosh's per-document writer."""
        files = {"_stored": stored_column(self.stored)}
        for name, texts in self.texts.items():
            files[text_column_name(name)] = text_column(texts)
        self.segment.text_columns = tuple(self.texts)
        for name, found in lengths.items():
            if found.any():
                files[f"_{name}_len"] = length_bytes(found).tobytes()
        for name, values in self.columns.items():
            column = self.schema[name].column_type
            files[name] = numeric_column(np.concatenate(values), column._typecode)
        for name, data in files.items():
            dbfile = self.storage.create_file(W3Codec.column_filename(self.segment, name))
            dbfile.write(data)
            dbfile.close()
