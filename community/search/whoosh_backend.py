"""The Whoosh backend: compiles query plans, ranks, pages, facets and suggests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from whoosh import query as wq

from community.search.documents import SearchDocument
from community.search.errors import IndexUnavailable
from community.search.query import QueryPlan, TextMatch
from community.search.results import IndexPage
from community.search.whoosh_collect import collect
from community.search.whoosh_index import IndexStore
from community.search.whoosh_rebuild import build_index
from community.search.whoosh_schema import document_fields

logger = logging.getLogger(__name__)

SORT_FIELDS = {"newest": "created_at", "votes": "votes"}
FACET_LIMIT = 20
ENOUGH_STRICT_MATCHES = 10
LOCK_WAIT_SECONDS = 600
# A term in the title (which has its own length normalisation) counts this many times a term
# of the text, so a question about a word ranks above one that mentions it in passing.
TITLE_BOOST = 4.0


@dataclass(frozen=True)
class Fields:
    """The text fields a search reads: the whole text, or what is open to all."""

    title: str
    words: str
    grams: str


WHOLE_TEXT = Fields("title_words", "words", "grams")
OPEN_TEXT = Fields("title_words", "open_words", "open_grams")


class WhooshWriter:
    """Changes for one index commit."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self.changed = False

    def put(self, documents: Iterable[SearchDocument]) -> None:
        for doc in documents:
            self.writer.update_document(**document_fields(doc))
            self.changed = True

    def remove(self, ids: Iterable[int]) -> None:
        for doc_id in ids:
            self.writer.delete_by_term("id", str(doc_id))
            self.changed = True


class WhooshBackend:
    name = "whoosh"
    writer_class = WhooshWriter

    def __init__(self, root: str) -> None:
        self.store = IndexStore(root)

    def is_ready(self) -> bool:
        return self.store.exists()

    def close(self) -> None:
        """Close this thread's searcher (its open index files)."""
        self.store.close()

    @contextmanager
    def writing(self, wait: float = 0.0):
        """A writer on the live index; it commits when the block ends without error."""
        with self.store.locked_writer(wait) as writer:
            changes = WhooshWriter(writer)
            yield changes
            if changes.changed:
                writer.commit()
            else:
                writer.cancel()

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        progress: Callable[[int], None],
        processes: int = 1,
    ) -> int:
        """Index `documents` into a new directory and swap it in; holds the live index's lock.

        With several processes, forked builders take batches of documents in turn, each
        writing segments of its own (whoosh_rebuild.py).
        """
        path, fresh = self.store.create_new()
        with self._live_lock():
            count = build_index(fresh, documents, progress, processes)
            self.store.swap_to(path)
        return count

    @contextmanager
    def _live_lock(self):
        """Hold the live index's write lock (if there is a live index) so no change is lost."""
        try:
            live = self.store.open()
        except IndexUnavailable:
            live = None
        writer = live.writer(timeout=LOCK_WAIT_SECONDS, delay=0.1) if live else None
        try:
            yield
        finally:
            if writer is not None:
                writer.cancel()

    def document_count(self) -> int:
        return self.store.searcher().doc_count()

    def search(
        self, plan: QueryPlan, *, page: int, per_page: int, sort: str, open_only: bool
    ) -> IndexPage:
        """The page of `plan`'s matches, matched against what is open to all when `open_only`."""
        searcher = self.store.searcher()
        fields = OPEN_TEXT if open_only else WHOLE_TEXT
        only = compile_filter(plan)
        sort_column = SORT_FIELDS.get(sort)
        limit = page * per_page
        # Documents with every word first; only when they are few does any word (or the bigram
        # fallback) widen the search, which keeps common words from scoring half the index.
        found = collect(
            searcher,
            compile_plan(plan, fields, strict=True),
            limit,
            only=only,
            sort_column=sort_column,
        )
        if found.total < ENOUGH_STRICT_MATCHES and plan.has_text:
            found = collect(
                searcher, compile_plan(plan, fields), limit, only=only, sort_column=sort_column
            )
        start = (page - 1) * per_page
        counts = found.tag_counts
        return IndexPage(
            total=found.total,
            entries=[
                (searcher.stored_fields(docnum), 0.0 if sort_column else key)
                for key, docnum in found.top[start : start + per_page]
            ],
            facets=sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT],
            suggestion=suggest(searcher, plan, fields),
        )


def in_field(field: str, terms: list[str], boost: float = 1.0) -> wq.Query:
    """`terms` in order in `field`: a phrase when several."""
    if len(terms) == 1:
        return wq.Term(field, terms[0], boost=boost)
    return wq.Phrase(field, terms, boost=boost)


def term_query(fields: Fields, term: str) -> wq.Query:
    """A term in the title or the text; a title match scores more."""
    return wq.Or([wq.Term(fields.title, term, boost=TITLE_BOOST), wq.Term(fields.words, term)])


def needed_term(fields: Fields, match: TextMatch, term: str) -> wq.Query:
    """A term a word needs: itself, or all the parts of a compound (analysis.compound_parts)."""
    found = term_query(fields, term)
    parts = match.parts.get(term)
    if not parts:
        return found
    return wq.Or([found, wq.And([term_query(fields, part) for part in parts])])


def gram_options(fields: Fields, match: TextMatch) -> list[wq.Query]:
    """The bigram fallback of a word: its bigrams in order, or those of each of its pieces."""
    if not match.grams:
        return []
    options = [in_field(fields.grams, match.grams)]
    if match.part_grams:
        options.append(wq.And([in_field(fields.grams, grams) for grams in match.part_grams]))
    return options


def word_query(fields: Fields, match: TextMatch, *, strict: bool = False) -> wq.Query:
    """All of a word's needed terms anywhere, or it as a tag, or (unless strict) its bigrams."""
    options = [
        wq.And([needed_term(fields, match, term) for term in match.required]),
        wq.Term("tags", match.tag),
    ]
    if not strict:
        options += gram_options(fields, match)
    return wq.Or(options)


def phrase_query(fields: Fields, match: TextMatch, *, strict: bool = False) -> wq.Query:
    """The words in order in the title or the text, or (unless strict) their bigrams in order."""
    options = [
        in_field(fields.title, match.terms, TITLE_BOOST),
        in_field(fields.words, match.terms),
    ]
    if match.grams and not strict:
        options.append(in_field(fields.grams, match.grams))
    return wq.Or(options)


def compile_plan(plan: QueryPlan, fields: Fields, *, strict: bool = False) -> wq.Query:
    """Strict: every word. Otherwise every word ranks first and any word still matches."""
    required = [phrase_query(fields, match, strict=strict) for match in plan.phrases]
    if plan.words:
        every_word = [word_query(fields, match, strict=strict) for match in plan.words]
        if strict:
            required.append(wq.And(every_word))
        else:
            any_word = wq.Or(
                [
                    needed_term(fields, match, term)
                    for match in plan.words
                    for term in match.required
                ]
                + [option for match in plan.words for option in gram_options(fields, match)]
                + [wq.Term("tags", match.tag) for match in plan.words]
            )
            # Boosted as it is built: `with_boost` would deep-copy the whole tree.
            required.append(wq.Or([wq.And(every_word, boost=3.0), any_word]))
    query = wq.And(required) if required else wq.Every()
    if plan.excluded:
        query = wq.AndNot(query, wq.Or([phrase_query(fields, match) for match in plan.excluded]))
    return query


def compile_filter(plan: QueryPlan) -> wq.Query | None:
    conditions = [wq.Term("tags", tag) for tag in plan.tags]
    conditions += [wq.Term(flag, True) for flag in sorted(plan.flags)]
    conditions += [wq.Term("author", user) for user in plan.users]
    return wq.And(conditions) if conditions else None


def suggest(searcher, plan: QueryPlan, fields: Fields) -> str | None:
    """The query with misspelt Latin words replaced by the closest word open to all, if any.

    A word is known when it is in a text the searcher's fields cover; suggestions come from
    the `spelling` field, which holds only what everyone may read.
    """
    reader = searcher.reader()
    corrector = None
    changed = False
    parts = []
    for match in plan.words:
        word = match.text.lower()
        if word.isascii() and word.isalpha() and len(word) > 3 and not known(reader, match, fields):
            corrector = corrector or searcher.corrector("spelling")
            found = corrector.suggest(word, limit=1, maxdist=2)
            if found:
                parts.append(found[0])
                changed = True
                continue
        parts.append(match.text)
    return " ".join(parts) if changed else None


def known(reader, match: TextMatch, fields: Fields) -> bool:
    if reader.doc_frequency("spelling", match.text.lower()):
        return True
    return any(
        reader.doc_frequency(field, term)
        for field in (fields.title, fields.words)
        for term in match.terms
    )
