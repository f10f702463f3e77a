"""What a document becomes in the Whoosh index: the schema, its text fields and their sections.

A document's text comes in sections (title, aliases and tags; body; top answers; other
answers; and a teaser of its own where that is all of it that is open). Each text field is made
of some of them, one per weight:

- `title_words`: the title, aliases and tags, with their own lengths, so that a title or tag
  match ranks above a passing mention in a long text;
- `words` (body, top answers, other answers) for those who may read every question;
- `open_words`, what everyone may read: the same for an open document, the teaser otherwise;
- `grams` (title, body) and `open_grams` (title, and body or teaser): the bigram fallback.

Each field's term weight is the sum of its occurrences' section weights, so a query term reads
one posting list per field, not one per part.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import cache

import numpy as np
from whoosh import formats
from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, STORED, FieldType, Schema

from community.search.analysis import (
    LATIN_WORD,
    bigram_tuples,
    fold_text,
    latin_words,
    word_tuples,
)
from community.search.bulk_folding import fold_many
from community.search.documents import SearchDocument
from community.search.stored import stored_columns, stored_values

# Rank boosts are kept as integers in thousandths (Whoosh float columns want a default).
BOOST_SCALE = 1000
SECTION_GAP = 100
# The question text and the accepted/canonical answers rank above the other answers.
TEXT_WEIGHT = 1.2
ANSWER_WEIGHT = 0.8
TEXT_WEIGHTS = (TEXT_WEIGHT, TEXT_WEIGHT, ANSWER_WEIGHT)
# The bigram fallback covers title and question text (answers would double the postings); its
# one field weighs the title up.
GRAM_WEIGHTS = (5.0, TEXT_WEIGHT)
EPOCH = datetime(1970, 1, 1)
# Joins a batch's texts for folding (never in a text: replaced by a space, as good for words).
SPELLING_SEPARATOR = "\x0c"

# A document's text sections, in the order a batch lists them (bulk_terms.py).
TITLE, BODY, TOP, OTHERS, TEASER = range(5)
SECTION_COUNT = 5
# How much of a document's text is open to all: everything, or the teaser alone, which is its
# own text or (for a short body) the body's.
OPEN, TEASER_APART, TEASER_IS_BODY = range(3)
# Per text field and kind of document: the section that fills each of the field's weights.
FIELD_SECTIONS: dict[str, tuple[tuple[int | None, ...], ...]] = {
    "title_words": ((TITLE,),) * 3,
    "words": ((BODY, TOP, OTHERS),) * 3,
    "open_words": ((BODY, TOP, OTHERS), (TEASER, None, None), (BODY, None, None)),
    "grams": ((TITLE, BODY),) * 3,
    "open_grams": ((TITLE, BODY), (TITLE, TEASER), (TITLE, BODY)),
}


class WeightedSections(FieldType):
    """A text field indexed from sections of text by our analyzer, each with its own weight.

    `kind` is "words" (segmented words) or "grams" (the CJK bigram fallback); a value is one
    text per weight in `weights`. Positions count words; a term's weight is the sum of its
    occurrences' section weights. Sections are kept apart by a gap in positions, so a phrase
    never spans two of them.
    """

    scorable = True

    def __init__(self, kind: str, weights: tuple[float, ...]) -> None:
        self.kind = kind
        self.weights = weights
        self.format = formats.Positions()

    def index(self, value, **kwargs):
        produce = word_tuples if self.kind == "words" else bigram_tuples
        positions: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, float] = defaultdict(float)
        base = 0
        for weight, text in zip(self.weights, value, strict=True):
            if not text:
                continue
            last = base
            for term, position, _start, _end in produce(text, start_position=base):
                positions[term].append(position)
                weights[term] += weight
                last = position
            base = last + SECTION_GAP
        encode = self.format.encode
        for text, found in positions.items():
            yield text.encode("utf-8"), len(found), weights[text], encode(found)


class SortColumn(COLUMN):
    """A number per document kept in a column for sorting (and stored when asked); not indexed."""

    def __init__(self, typecode: str = "i", *, stored: bool = False, default: int = 0) -> None:
        super().__init__(NumericColumn(typecode, default=default))
        self.stored = stored

    def to_column_value(self, value) -> int:
        return int(value)

    def to_column_array(self, values: list) -> np.ndarray:
        """`to_column_value` of many values (None: the column's default)."""
        default = self.column_type.default_value()
        return np.array([default if value is None else value for value in values], np.int64)


class DateSortColumn(SortColumn):
    """A naive UTC datetime, sorted by its microseconds since 1970."""

    def to_column_value(self, value) -> int:
        return (value - EPOCH) // timedelta(microseconds=1)

    def to_column_array(self, values: list) -> np.ndarray:
        stamps = [EPOCH if value is None else value for value in values]
        return np.array(stamps, dtype="datetime64[us]").astype(np.int64)


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        external_id=STORED(),
        title_words=WeightedSections("words", (1.0,)),
        words=WeightedSections("words", TEXT_WEIGHTS),
        open_words=WeightedSections("words", TEXT_WEIGHTS),
        grams=WeightedSections("grams", GRAM_WEIGHTS),
        open_grams=WeightedSections("grams", GRAM_WEIGHTS),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, field_boost=3.0),
        spelling=KEYWORD(),
        title=STORED(),
        teaser=STORED(),
        body=STORED(),
        top_answers=STORED(),
        other_answers=STORED(),
        author=ID(),
        featured=BOOLEAN(stored=True),
        public=BOOLEAN(stored=True),
        closed=BOOLEAN(stored=True),
        accepted=BOOLEAN(stored=True),
        unanswered=BOOLEAN(),
        votes=SortColumn(stored=True),
        answer_count=STORED(),
        boost=SortColumn(default=BOOST_SCALE),
        created_at=DateSortColumn("q", stored=True),
    )


def openness(doc: SearchDocument) -> int:
    """Which kind of document `doc` is for the open fields (`OPEN`, `TEASER_APART`, ...)."""
    if doc.open_to_all:
        return OPEN
    return TEASER_APART if doc.separate_teaser else TEASER_IS_BODY


def sections(doc: SearchDocument, top: str, others: str) -> list[str]:
    """The text sections of `doc` (`top` and `others`: its answers, joined as stored), in the
    order of `TITLE` ... `TEASER`."""
    return [doc.title_text, doc.body, top, others, doc.separate_teaser]


def field_value(texts: list[str], chosen: tuple[int | None, ...]) -> list[str]:
    return [texts[index] if index is not None else "" for index in chosen]


def document_fields(doc: SearchDocument) -> dict:
    """The Whoosh fields of a document."""
    stored = stored_values(doc)
    texts = sections(doc, stored["top_answers"], stored["other_answers"])
    kind = openness(doc)
    return {
        **stored,
        **{name: field_value(texts, chosen[kind]) for name, chosen in FIELD_SECTIONS.items()},
        "id": str(doc.id),
        "spelling": " ".join(latin_words(doc.spelling_text)),
        "author": fold_text(doc.author.strip()) or None,
        "unanswered": doc.unanswered,
        "boost": round(doc.rank_boost * BOOST_SCALE),
        "created_at": doc.created_at.replace(tzinfo=None),
    }


def batch_fields(docs: list[SearchDocument]) -> dict[str, list]:
    """`document_fields` of every document, as one list per field (a value per document, None
    where a document has none), with the text sections and kinds of the documents in place of
    the text fields; the spelling words come from one folding of the whole batch."""
    columns = stored_columns(docs)
    spelling = [doc.spelling_text.replace(SPELLING_SEPARATOR, " ") for doc in docs]
    folded = fold_many(spelling, SPELLING_SEPARATOR).split(SPELLING_SEPARATOR)
    # Few authors, each seen again and again.
    author_of = cache(lambda author: fold_text(author.strip()) or None)
    answers = zip(columns["top_answers"], columns["other_answers"], strict=True)
    return {
        **columns,
        "sections": [sections(doc, *joined) for doc, joined in zip(docs, answers, strict=True)],
        "openness": [openness(doc) for doc in docs],
        "id": [str(doc.id) for doc in docs],
        "spelling": [" ".join(LATIN_WORD.findall(text)) for text in folded],
        "author": [author_of(doc.author) for doc in docs],
        "unanswered": [doc.unanswered for doc in docs],
        "boost": [round(doc.rank_boost * BOOST_SCALE) for doc in docs],
        "created_at": [doc.created_at.replace(tzinfo=None) for doc in docs],
    }
