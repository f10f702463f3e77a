"""The Whoosh index on disk: schema, our tokenizer, the `current` link swapped on rebuild, locks.

The index lives in `<SEARCH_INDEX_DIR>/index-<stamp>/`; `current` is a symbolic link to the live
one. A rebuild writes a new directory and replaces the link in one rename, so readers see either
the old index or the new one, never half of either.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import threading
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from whoosh import formats, index
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
from community.search.documents import ANSWER_SEPARATOR, SearchDocument
from community.search.errors import IndexBusy, IndexUnavailable
from community.search.whoosh_codec import ArrayCodec

logger = logging.getLogger(__name__)

CURRENT = "current"
# What every writer of our indexes is given. Whoosh copies a compound segment file's postings
# into memory when it opens it (78 MB for 20,000 questions); separate files are read through the
# page cache instead. The codec records itself in each segment, so readers use it too.
WRITER_OPTIONS = {"compound": False, "codec": ArrayCodec()}
# Rank boosts are kept as integers in thousandths (Whoosh float columns want a default).
BOOST_SCALE = 1000

SECTION_GAP = 100
# Term weights per part of a question: the title (and aliases) above the question text and the
# accepted/canonical answers, which rank above the other answers. One field holds them all, with
# the weight as each term's frequency, so a query term reads one posting list, not one per part.
TITLE_WEIGHT = 5.0
TEXT_WEIGHT = 1.2
ANSWER_WEIGHT = 0.8
# The parts, in order: title, question text, top answers, other answers.
WORD_WEIGHTS = (TITLE_WEIGHT, TEXT_WEIGHT, TEXT_WEIGHT, ANSWER_WEIGHT)
# The bigram fallback covers title and question text; answers would double the postings.
GRAM_WEIGHTS = (TITLE_WEIGHT, TEXT_WEIGHT)
EPOCH = datetime(1970, 1, 1)
# Stored fields that always hold text (a bulk rebuild keeps them in columns of their own).
STORED_TEXTS = ("title", "teaser", "body", "top_answers", "other_answers")
# Joins a batch's texts for folding (never in a text: replaced by a space, as good for words).
SPELLING_SEPARATOR = "\x0c"


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
        words=WeightedSections("words", WORD_WEIGHTS),
        grams=WeightedSections("grams", GRAM_WEIGHTS),
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
        created=DateSortColumn("q", stored=True),
    )


def document_fields(doc: SearchDocument) -> dict:
    """The Whoosh fields of a document."""
    title = ANSWER_SEPARATOR.join([doc.title, *doc.aliases])
    top = ANSWER_SEPARATOR.join(doc.top_answers)
    others = ANSWER_SEPARATOR.join(doc.other_answers)
    return {
        "id": str(doc.id),
        "external_id": doc.external_id,
        "words": [title, doc.body, top, others],
        "grams": [title, doc.body],
        "tags": ",".join(fold_text(tag.strip()) for tag in doc.tags if tag.strip()),
        "spelling": " ".join(latin_words(" ".join([doc.title, *doc.tags, doc.body]))),
        "title": doc.title,
        "teaser": doc.teaser,
        "body": doc.body,
        "top_answers": top,
        "other_answers": others,
        "author": fold_text(doc.author.strip()) or None,
        "featured": doc.featured,
        "public": doc.public,
        "closed": doc.closed,
        "accepted": doc.accepted,
        "unanswered": doc.unanswered,
        "votes": doc.votes,
        "answer_count": doc.answer_count,
        "boost": round(doc.rank_boost * BOOST_SCALE),
        "created": doc.created_at.replace(tzinfo=None),
    }


def batch_fields(docs: list[SearchDocument]) -> dict[str, list]:
    """`document_fields` of every document, as one list per field (a value per document, None
    where a document has none); the spelling words come from one folding of the whole batch."""
    titles = [ANSWER_SEPARATOR.join([doc.title, *doc.aliases]) for doc in docs]
    bodies = [doc.body for doc in docs]
    tops = [ANSWER_SEPARATOR.join(doc.top_answers) for doc in docs]
    others = [ANSWER_SEPARATOR.join(doc.other_answers) for doc in docs]
    spelling = [
        " ".join([doc.title, *doc.tags, doc.body]).replace(SPELLING_SEPARATOR, " ") for doc in docs
    ]
    folded = fold_many(spelling, SPELLING_SEPARATOR).split(SPELLING_SEPARATOR)
    # Few tags and authors, each seen again and again.
    tag_of = cache(lambda tag: fold_text(tag.strip()))
    author_of = cache(lambda author: fold_text(author.strip()) or None)
    return {
        "id": [str(doc.id) for doc in docs],
        "external_id": [doc.external_id for doc in docs],
        "words": [titles, bodies, tops, others],
        # The bulk builder reads the bigram field from the first word sections.
        "grams": [titles, bodies],
        "tags": [",".join(tag_of(tag) for tag in doc.tags if tag.strip()) for doc in docs],
        "spelling": [" ".join(LATIN_WORD.findall(text)) for text in folded],
        "title": [doc.title for doc in docs],
        "teaser": [doc.teaser for doc in docs],
        "body": bodies,
        "top_answers": tops,
        "other_answers": others,
        "author": [author_of(doc.author) for doc in docs],
        "featured": [doc.featured for doc in docs],
        "public": [doc.public for doc in docs],
        "closed": [doc.closed for doc in docs],
        "accepted": [doc.accepted for doc in docs],
        "unanswered": [doc.unanswered for doc in docs],
        "votes": [doc.votes for doc in docs],
        "answer_count": [doc.answer_count for doc in docs],
        "boost": [round(doc.rank_boost * BOOST_SCALE) for doc in docs],
        "created": [doc.created_at.replace(tzinfo=None) for doc in docs],
    }


class IndexStore:
    """Opens, swaps and locks the index under one directory; searchers are kept per thread."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.local = threading.local()

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_path(self) -> Path | None:
        try:
            return self.root / os.readlink(self.link)
        except OSError:
            return None

    def open(self) -> index.Index:
        path = self.current_path()
        if path is None:
            raise IndexUnavailable("no index yet")
        # Whoosh leaves the files of an index it cannot read open: once the error is gone,
        # collect them without a ResourceWarning.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return index.open_dir(str(path))
            except Exception as error:
                reason = repr(error)
            gc.collect()
        raise IndexUnavailable(f"index at {path} cannot be opened: {reason}")

    def exists(self) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                with self.open().searcher() as searcher:
                    searcher.doc_count()
                return True
            except IndexUnavailable:
                return False
            except Exception as error:
                reason = repr(error)
            gc.collect()
        logger.error("search index is corrupt: %s", reason)
        return False

    def searcher(self):
        """This thread's searcher on the current index, refreshed when the index has changed."""
        path = self.current_path()
        cached = getattr(self.local, "searcher", None)
        if cached is not None and self.local.path == path and cached.up_to_date():
            return cached
        # A fresh searcher, not `refresh()`: Whoosh's refresh leaves the files of readers it
        # replaced open (ResourceWarnings, and file handles held until garbage collection).
        if cached is not None:
            cached.close()
        searcher = self.open().searcher()
        self.local.searcher, self.local.path = searcher, path
        return searcher

    def close(self) -> None:
        cached = getattr(self.local, "searcher", None)
        if cached is not None:
            cached.close()
            self.local.searcher = None

    @contextmanager
    def locked_writer(self, wait: float = 0.0) -> Iterator:
        """The current index's writer; IndexBusy when another process holds it past `wait`."""
        ix = self.open()
        try:
            writer = ix.writer(timeout=wait, delay=0.05, **WRITER_OPTIONS)
        except index.LockError as error:
            raise IndexBusy(str(error)) from error
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise

    def create_new(self) -> tuple[Path, index.Index]:
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        path = self.root / f"index-{stamp}"
        path.mkdir()
        return path, index.create_in(str(path), schema())

    def swap_to(self, path: Path) -> None:
        """Point `current` at `path` in one rename, then remove all but the previous index."""
        previous = self.current_path()
        temporary = self.root / f".{CURRENT}-{os.getpid()}"
        if temporary.is_symlink():
            temporary.unlink()
        os.symlink(path.name, temporary)
        os.replace(temporary, self.link)
        keep = {path, previous}
        for stale in self.root.glob("index-*"):
            if stale not in keep:
                shutil.rmtree(stale, ignore_errors=True)
