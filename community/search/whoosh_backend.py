"""The Whoosh backend: compiles query plans, ranks, pages, facets and suggests."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC

from whoosh import query as wq

from community.search.documents import ANSWER_SEPARATOR, SearchDocument
from community.search.errors import IndexUnavailable
from community.search.highlight import Highlighter
from community.search.query import QueryPlan, TextMatch
from community.search.results import HitText, ReadRule, SearchHit, SearchResults
from community.search.whoosh_collect import collect
from community.search.whoosh_index import IndexStore, document_fields
from community.search.whoosh_rebuild import build_index

logger = logging.getLogger(__name__)

WORD_FIELD = "words"
GRAM_FIELD = "grams"
SORT_FIELDS = {"newest": "created", "votes": "votes"}
FACET_LIMIT = 20
ENOUGH_STRICT_MATCHES = 10
LOCK_WAIT_SECONDS = 600


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
        self, plan: QueryPlan, *, page: int, per_page: int, sort: str, may_read: ReadRule
    ) -> SearchResults:
        searcher = self.store.searcher()
        only = compile_filter(plan)
        sort_column = SORT_FIELDS.get(sort)
        limit = page * per_page
        # Documents with every word first; only when they are few does any word (or the bigram
        # fallback) widen the search, which keeps common words from scoring half the index.
        found = collect(
            searcher, compile_plan(plan, strict=True), limit, only=only, sort_column=sort_column
        )
        if found.total < ENOUGH_STRICT_MATCHES and plan.has_text:
            found = collect(searcher, compile_plan(plan), limit, only=only, sort_column=sort_column)
        highlighter = Highlighter(
            [match.text for match in plan.words], [match.text for match in plan.phrases]
        )
        start = (page - 1) * per_page
        hits = [
            self._hit(searcher, docnum, 0.0 if sort_column else key, highlighter, may_read)
            for key, docnum in found.top[start : start + per_page]
        ]
        counts = found.tag_counts
        facets = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_LIMIT]
        return SearchResults(
            total=found.total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=facets,
            suggestion=suggest(searcher, plan),
        )

    def _hit(
        self, searcher, docnum: int, score: float, highlighter: Highlighter, may_read: ReadRule
    ) -> SearchHit:
        fields = searcher.stored_fields(docnum)
        created = fields.get("created")
        result = SearchHit(
            id=int(fields["id"]),
            external_id=fields.get("external_id"),
            title=fields["title"],
            tags=[tag for tag in fields.get("tags", "").split(",") if tag],
            answer_count=fields.get("answer_count", 0),
            accepted=fields.get("accepted", False),
            featured=fields.get("featured", False),
            public=fields.get("public", False),
            closed=fields.get("closed", False),
            votes=fields.get("votes", 0),
            created_at=created.replace(tzinfo=UTC) if created else None,
            score=score,
        )
        text = HitText(
            title=result.title,
            teaser=fields.get("teaser", ""),
            body=fields.get("body", ""),
            top_answers=split_answers(fields.get("top_answers", "")),
            other_answers=split_answers(fields.get("other_answers", "")),
        )
        return highlighter.fill(result, text, may_read)


def split_answers(text: str) -> list[str]:
    return [part for part in text.split(ANSWER_SEPARATOR) if part.strip()]


def in_field(field: str, terms: list[str]) -> wq.Query:
    """`terms` in order in `field`: a phrase when several."""
    return wq.Term(field, terms[0]) if len(terms) == 1 else wq.Phrase(field, terms)


def word_query(match: TextMatch, *, strict: bool = False) -> wq.Query:
    """All of a word's needed terms anywhere, or it as a tag, or (unless strict) its bigrams."""
    options = [
        wq.And([wq.Term(WORD_FIELD, term) for term in match.required]),
        wq.Term("tags", match.tag),
    ]
    if match.grams and not strict:
        options.append(in_field(GRAM_FIELD, match.grams))
    return wq.Or(options)


def phrase_query(match: TextMatch, *, strict: bool = False) -> wq.Query:
    """The words in order, or (unless strict) their bigrams in order."""
    if strict or not match.grams:
        return in_field(WORD_FIELD, match.terms)
    return wq.Or([in_field(WORD_FIELD, match.terms), in_field(GRAM_FIELD, match.grams)])


def compile_plan(plan: QueryPlan, *, strict: bool = False) -> wq.Query:
    """Strict: every word. Otherwise every word ranks first and any word still matches."""
    required = [phrase_query(match, strict=strict) for match in plan.phrases]
    if plan.words:
        every_word = wq.And([word_query(match, strict=strict) for match in plan.words])
        if strict:
            required.append(every_word)
        else:
            any_word = wq.Or(
                [wq.Term(WORD_FIELD, term) for match in plan.words for term in match.required]
                + [in_field(GRAM_FIELD, match.grams) for match in plan.words if match.grams]
                + [wq.Term("tags", match.tag) for match in plan.words]
            )
            required.append(wq.Or([every_word.with_boost(3.0), any_word]))
    query = wq.And(required) if required else wq.Every()
    if plan.excluded:
        query = wq.AndNot(query, wq.Or([phrase_query(match) for match in plan.excluded]))
    return query


def compile_filter(plan: QueryPlan) -> wq.Query | None:
    conditions = [wq.Term("tags", tag) for tag in plan.tags]
    conditions += [wq.Term(flag, True) for flag in sorted(plan.flags)]
    conditions += [wq.Term("author", user) for user in plan.users]
    return wq.And(conditions) if conditions else None


def suggest(searcher, plan: QueryPlan) -> str | None:
    """The query with misspelt Latin words replaced by the closest indexed word, if any."""
    reader = searcher.reader()
    corrector = None
    changed = False
    parts = []
    for match in plan.words:
        word = match.text.lower()
        unknown = word.isascii() and word.isalpha() and len(word) > 3
        if unknown and reader.doc_frequency("spelling", word) == 0:
            corrector = corrector or searcher.corrector("spelling")
            found = corrector.suggest(word, limit=1, maxdist=2)
            if found:
                parts.append(found[0])
                changed = True
                continue
        parts.append(match.text)
    return " ".join(parts) if changed else None
