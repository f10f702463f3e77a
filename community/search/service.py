"""The one search interface the rest of the site uses; it picks the backend from the config.

A search runs in two steps. The backend matches and ranks (against every document's whole text
for a reader of everything, against what is open to all for anyone else) and returns the page's
stored values. Then the database says which of the page's documents may still be listed and how
public each is now, and each hit's snippet is cut by the reader's rule from that: a question
made private, deleted or merged is never shown from what the index remembers of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app
from sqlalchemy import select

from community.extensions import db
from community.search.analysis import use_dictionary
from community.search.documents import SearchDocument, current_source
from community.search.errors import IndexUnavailable
from community.search.highlight import Highlighter
from community.search.models import DictionaryTerm
from community.search.query import ParsedQuery, QueryPlan, parse_query, plan_query
from community.search.results import IndexPage, Reader, SearchHit, SearchResults
from community.search.staleness import StalenessCheck
from community.search.stored import hit_from_stored, stored_values

logger = logging.getLogger(__name__)

SIMILAR_LIMIT = 5
DATABASE_LIMIT = 50
DICTIONARY_REFRESH_SECONDS = 30.0


class SearchService:
    def __init__(self, backend) -> None:
        self.backend = backend
        self.dictionary_loaded_at = 0.0
        self.staleness = StalenessCheck(backend.name)

    def search(
        self,
        text: str,
        *,
        reader: Reader,
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
        open_only = not reader.reads_answers
        from_database = False
        try:
            if self.staleness.is_stale():
                raise IndexUnavailable(f"the {self.backend.name} index missed changes")
            found = self.backend.search(
                plan, page=page, per_page=per_page, sort=sort, open_only=open_only
            )
        except IndexUnavailable:
            logger.warning("search index unavailable; answering from the database")
            found = database_page(parsed, page, per_page, open_only)
            from_database = True
        return SearchResults(
            total=found.total,
            page=page,
            per_page=per_page,
            hits=shown_hits(found.entries, reader, plan),
            facets=found.facets,
            suggestion=found.suggestion,
            from_database=from_database,
        )

    def similar(self, title: str, *, reader: Reader, limit: int = SIMILAR_LIMIT):
        """Up to `limit` questions whose text resembles `title` (for the ask form)."""
        words = [word for word in title.replace('"', " ").split() if not word.startswith("-")]
        if not words:
            return []
        return self.search(" ".join(words), reader=reader, per_page=limit).hits

    def refresh_dictionary(self, force: bool = False) -> None:
        """Load the community dictionary into this process now and then."""
        now = time.monotonic()
        if force or now - self.dictionary_loaded_at > DICTIONARY_REFRESH_SECONDS:
            use_dictionary(load_dictionary())
            self.dictionary_loaded_at = now


def load_dictionary() -> list[str]:
    return list(db.session.scalars(select(DictionaryTerm.term)))


def highlighter_for(plan: QueryPlan) -> Highlighter:
    return Highlighter([match.text for match in plan.words], [match.text for match in plan.phrases])


def shown_hits(
    entries: Sequence[tuple[Mapping[str, Any], float]], reader: Reader, plan: QueryPlan
) -> list[SearchHit]:
    """The page's hits that the database still lists, each cut for `reader` by its flags now
    and highlighted for `plan` (its highlighter is built only when there is a hit)."""
    if not entries:
        return []
    highlighter = highlighter_for(plan)
    listed = current_source().listable([int(values["id"]) for values, _score in entries])
    hits = []
    for values, score in entries:
        hit, text = hit_from_stored(values, score)
        now = listed.get(hit.id)
        if now is None:
            continue
        hit.public = now.public
        hits.append(highlighter.fill(hit, text, reader.may_read(now)))
    return hits


def database_page(parsed: ParsedQuery, page: int, per_page: int, open_only: bool) -> IndexPage:
    """A plain LIKE search through the source, for when the index cannot be read."""
    words = [*parsed.words, *parsed.phrases]
    documents = [
        doc for doc in current_source().search_database(words, DATABASE_LIMIT) if not doc.deleted
    ]
    if open_only:
        documents = [doc for doc in documents if matches_openly(doc, words)]
    start = (page - 1) * per_page
    entries = [(stored_values(doc), 0.0) for doc in documents[start : start + per_page]]
    return IndexPage(total=len(documents), entries=entries)


def matches_openly(doc: SearchDocument, words: list[str]) -> bool:
    """Whether the words `doc` holds are all in what everyone may read of it."""
    if not words:
        return True
    whole = "\n".join([doc.title, doc.body]).lower()
    visible = "\n".join([doc.title, *doc.aliases, *doc.open_texts]).lower()
    held = [word.lower() for word in words if word.lower() in whole]
    return bool(held) and all(word in visible for word in held)


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
