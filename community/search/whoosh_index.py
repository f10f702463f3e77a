"""The Whoosh index on disk: schema, our tokenizer, the `current` link swapped on rebuild, locks.

The index lives in `<SEARCH_INDEX_DIR>/index-<stamp>/`; `current` is a symbolic link to the live
one. A rebuild writes a new directory and replaces the link in one rename, so readers see either
the old index or the new one, never half of either.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from community.search.analysis import Term, analyze, bigrams, fold_text, latin_words
from community.search.documents import SearchDocument
from community.search.outbox import IndexBusy

logger = logging.getLogger(__name__)

CURRENT = "current"
ANSWER_SEPARATOR = "\n\n"
# Rank boosts are kept as integers in thousandths (Whoosh float columns want a default).
BOOST_SCALE = 1000


class TermTokenizer(Tokenizer):
    """A Whoosh tokenizer over our analyzer: positions count words, chars point into the text."""

    def __init__(self, kind: str = "words") -> None:
        self.kind = kind

    def __eq__(self, other) -> bool:
        return isinstance(other, TermTokenizer) and other.kind == self.kind

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if self.kind == "words":
            terms = analyze(value)
        elif self.kind == "grams":
            terms = bigrams(value)
        else:
            terms = [_spelling_term(word) for word in latin_words(value)]
        for term in terms:
            token.text = term.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[term.start : term.end]
            if positions:
                token.pos = start_pos + term.position
            if chars:
                token.startchar = start_char + term.start
                token.endchar = start_char + term.end
            yield token


def _spelling_term(word: str) -> Term:
    return Term(word, 0, 0, 0)


def schema() -> Schema:
    words = TermTokenizer("words")
    grams = TermTokenizer("grams")
    return Schema(
        id=ID(stored=True, unique=True),
        external_id=STORED(),
        title=TEXT(analyzer=words, field_boost=5.0, stored=True),
        aliases=TEXT(analyzer=words, field_boost=3.0),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, field_boost=3.0),
        body=TEXT(analyzer=words, stored=True),
        teaser=STORED(),
        top_answers=TEXT(analyzer=words, field_boost=1.5, stored=True),
        other_answers=TEXT(analyzer=words, field_boost=0.8, stored=True),
        title_grams=TEXT(analyzer=grams, field_boost=2.0),
        text_grams=TEXT(analyzer=grams, field_boost=0.4),
        spelling=TEXT(analyzer=TermTokenizer("spelling"), phrase=False),
        author=ID(),
        featured=BOOLEAN(stored=True),
        public=BOOLEAN(stored=True),
        closed=BOOLEAN(stored=True),
        accepted=BOOLEAN(stored=True),
        unanswered=BOOLEAN(),
        votes=NUMERIC(stored=True, sortable=True, signed=True),
        answer_count=NUMERIC(stored=True),
        boost=NUMERIC(sortable=True, default=BOOST_SCALE),
        created=DATETIME(stored=True, sortable=True),
        updated=DATETIME(sortable=True),
    )


def document_fields(doc: SearchDocument) -> dict:
    """The Whoosh fields of a document."""
    top = ANSWER_SEPARATOR.join(doc.top_answers)
    others = ANSWER_SEPARATOR.join(doc.other_answers)
    return {
        "id": str(doc.id),
        "external_id": doc.external_id,
        "title": doc.title,
        "aliases": ANSWER_SEPARATOR.join(doc.aliases),
        "tags": ",".join(fold_text(tag.strip()) for tag in doc.tags if tag.strip()),
        "body": doc.body,
        "teaser": doc.teaser,
        "top_answers": top,
        "other_answers": others,
        "title_grams": ANSWER_SEPARATOR.join([doc.title, *doc.aliases]),
        "text_grams": ANSWER_SEPARATOR.join([doc.body, top, others]),
        "spelling": " ".join([doc.title, *doc.tags, doc.body]),
        "author": fold_text(doc.author.strip()),
        "featured": doc.featured,
        "public": doc.public,
        "closed": doc.closed,
        "accepted": doc.accepted,
        "unanswered": doc.unanswered,
        "votes": doc.votes,
        "answer_count": doc.answer_count,
        "boost": round(rank_boost(doc.featured, doc.votes) * BOOST_SCALE),
        "created": doc.created_at.replace(tzinfo=None),
        "updated": doc.updated_at.replace(tzinfo=None),
    }


def rank_boost(featured: bool, votes: int) -> float:
    """Multiplier for relevance: 精华 counts most, votes a little (and never below 0.8)."""
    boost = 1.3 if featured else 1.0
    return boost * (1.0 + max(-0.2, min(votes, 50) / 250))


class IndexUnavailable(Exception):
    """The index is missing or cannot be read; search answers from the database meanwhile."""


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
        try:
            return index.open_dir(str(path))
        except Exception as error:
            raise IndexUnavailable(f"index at {path} cannot be opened: {error!r}") from error

    def exists(self) -> bool:
        try:
            with self.open().searcher() as searcher:
                searcher.doc_count()
        except IndexUnavailable:
            return False
        except Exception:
            logger.exception("search index is corrupt")
            return False
        return True

    def searcher(self):
        """This thread's searcher on the current index, refreshed when the index has changed."""
        path = self.current_path()
        cached = getattr(self.local, "searcher", None)
        if cached is not None and self.local.path == path:
            if cached.up_to_date():
                return cached
            refreshed = cached.refresh()
            self.local.searcher = refreshed
            return refreshed
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
            writer = ix.writer(timeout=wait, delay=0.05)
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
