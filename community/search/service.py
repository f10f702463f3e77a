"""The one search interface the rest of the site uses; it picks the backend from the config."""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import select

from community.extensions import db
from community.search.analysis import use_dictionary
from community.search.documents import SearchDocument, current_source
from community.search.errors import IndexUnavailable
from community.search.highlight import Highlighter
from community.search.models import DictionaryTerm
from community.search.query import ParsedQuery, parse_query, plan_query
from community.search.results import HitText, ReadRule, SearchHit, SearchResults

logger = logging.getLogger(__name__)

SIMILAR_LIMIT = 5
DATABASE_LIMIT = 50
DICTIONARY_REFRESH_SECONDS = 30.0


class SearchService:
    def __init__(self, backend) -> None:
        self.backend = backend
        self.dictionary_loaded_at = 0.0

    def search(
        self,
        text: str,
        *,
        may_read: ReadRule,
        page: int = 1,
        per_page: int = 20,
        sort: str = "relevance",
    ) -> SearchResults:
        """Search for what a user typed; answers from the database while the index is missing."""
        parsed = parse_query(text)
        if parsed.is_empty:
            return SearchResults(total=0, page=page, per_page=per_page)
        self.refresh_dictionary()
        plan = plan_query(parsed)
        try:
            return self.backend.search(
                plan, page=page, per_page=per_page, sort=sort, may_read=may_read
            )
        except IndexUnavailable:
            logger.warning("search index unavailable; answering from the database")
            return database_results(parsed, page, per_page, may_read)

    def similar(self, title: str, *, may_read: ReadRule, limit: int = SIMILAR_LIMIT):
        """Up to `limit` questions whose text resembles `title` (for the ask form)."""
        words = [word for word in title.replace('"', " ").split() if not word.startswith("-")]
        if not words:
            return []
        return self.search(" ".join(words), may_read=may_read, per_page=limit).hits

    def refresh_dictionary(self, force: bool = False) -> None:
        """Load the community dictionary into this process now and then."""
        now = time.monotonic()
        if force or now - self.dictionary_loaded_at > DICTIONARY_REFRESH_SECONDS:
            use_dictionary(load_dictionary())
            self.dictionary_loaded_at = now


def load_dictionary() -> list[str]:
    return list(db.session.scalars(select(DictionaryTerm.term)))


def database_results(
    parsed: ParsedQuery, page: int, per_page: int, may_read: ReadRule
) -> SearchResults:
    """A plain LIKE search through the source, for when the index cannot be read."""
    words = [*parsed.words, *parsed.phrases]
    documents = current_source().search_database(words, DATABASE_LIMIT)
    documents = [doc for doc in documents if not doc.deleted]
    highlighter = Highlighter(parsed.words, parsed.phrases)
    start = (page - 1) * per_page
    hits = [hit_from_document(doc, highlighter, may_read) for doc in documents]
    return SearchResults(
        total=len(hits),
        page=page,
        per_page=per_page,
        hits=hits[start : start + per_page],
        from_database=True,
    )


def hit_from_document(doc: SearchDocument, highlighter: Highlighter, may_read: ReadRule):
    hit = SearchHit(
        id=doc.id,
        external_id=doc.external_id,
        title=doc.title,
        tags=list(doc.tags),
        answer_count=doc.answer_count,
        accepted=doc.accepted,
        featured=doc.featured,
        public=doc.public,
        closed=doc.closed,
        votes=doc.votes,
        created_at=doc.created_at,
    )
    text = HitText(doc.title, doc.teaser, doc.body, doc.top_answers, doc.other_answers)
    return highlighter.fill(hit, text, may_read)


def make_backend(app):
    name = app.config["SEARCH_BACKEND"]
    if name == "whoosh":
        from community.search.whoosh_backend import WhooshBackend

        return WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    if name == "postgres":
        from community.search.postgres_backend import PostgresBackend

        return PostgresBackend()
    raise RuntimeError(f"SEARCH_BACKEND must be whoosh or postgres, not {name!r}")


def search_service() -> SearchService:
    """This app's search service (created on first use)."""
    state = current_app.extensions.setdefault("search", {})
    if "service" not in state:
        state["service"] = SearchService(make_backend(current_app))
    return state["service"]
