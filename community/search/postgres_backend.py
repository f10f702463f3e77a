"""The PostgreSQL backend: our terms in tsvector columns with GIN indexes, for several hosts.

Applying changes happens in the outbox's own transaction (the rows and the index commit together);
an advisory lock keeps indexers from overwriting each other's newer documents with older ones.
A search is two statements (postgres_query.py): a summary of every match, then the page's rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert

from community.extensions import db
from community.search.documents import SearchDocument, current_source
from community.search.errors import IndexBusy, IndexUnavailable
from community.search.models import IndexedDocument, IndexState
from community.search.outbox import index_state
from community.search.postgres_query import (
    FACET_LIMIT,
    OPEN_TEXT,
    WHOLE_TEXT,
    compile_plan,
    page_rows_sql,
    summary_sql,
)
from community.search.postgres_rebuild import ADVISORY_KEY, rebuild_table
from community.search.postgres_rows import document_row
from community.search.postgres_table import INDEX_FORMAT
from community.search.postgres_terms import sequence
from community.search.query import QueryPlan, TextMatch
from community.search.results import IndexPage
from community.search.spelling import closest_word

ENOUGH_STRICT_MATCHES = 10
# Whether a query's terms occur in a vector column (one of ours, never input) of any document.
KNOWN = "SELECT EXISTS (SELECT 1 FROM search_documents d WHERE d.{column} @@ CAST(:q AS tsquery))"
VOCABULARY_SECONDS = 600.0
# Planner settings for search statements: a scan of the whole table reads every document's
# vectors and is never the faster plan here; compiling rank expressions costs more than it saves.
SEARCH_SETTINGS = {"seqscan": "off", "jit": "off"}
SET_SETTINGS = text(
    "SELECT set_config('enable_seqscan', :seqscan, true), set_config('jit', :jit, true)"
)
# The subquery (kept apart by OFFSET 0) reads the settings before they change.
CHANGE_SETTINGS = text(
    "SELECT before.seqscan, before.jit,"
    " set_config('enable_seqscan', :seqscan, true), set_config('jit', :jit, true)"
    " FROM (SELECT current_setting('enable_seqscan') AS seqscan, current_setting('jit') AS jit"
    " OFFSET 0) AS before"
)


class PostgresWriter:
    def __init__(self) -> None:
        self.changed = False

    def put(self, documents: Iterable[SearchDocument]) -> None:
        rows = [document_row(doc) for doc in documents]
        if not rows:
            return
        statement = insert(IndexedDocument).values(rows)
        columns = {name: statement.excluded[name] for name in rows[0] if name != "id"}
        db.session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=columns))
        self.changed = True

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            db.session.execute(delete(IndexedDocument).where(IndexedDocument.id.in_(ids)))
            self.changed = True


class PostgresBackend:
    name = "postgres"
    writer_class = PostgresWriter

    def __init__(self) -> None:
        self.vocabulary: list[str] = []
        self.vocabulary_loaded_at = 0.0

    def is_ready(self) -> bool:
        """Ready once a rebuild made the table in this format and it holds a document (or there
        is nothing to index)."""
        state = db.session.get(IndexState, self.name)
        if state is None or state.index_format != INDEX_FORMAT:
            return False
        return bool(db.session.scalar(select(exists().where(IndexedDocument.id.isnot(None))))) or (
            current_source().count() == 0
        )

    def close(self) -> None:
        """Nothing to close: queries use the request's database session."""

    @contextmanager
    def writing(self):
        """Changes join the caller's transaction; the advisory lock ends with it."""
        locked = db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY}
        )
        if not locked:
            raise IndexBusy("another indexer holds the PostgreSQL search lock")
        yield PostgresWriter()

    def rebuild(
        self,
        documents: Iterable[SearchDocument],
        progress: Callable[[int], None],
        processes: int = 1,
    ) -> int:
        """Build a new table and swap it in when done: readers see the old one until it commits.

        With `processes` above one, forked processes compute the rows (postgres_rebuild.py).
        """
        count = rebuild_table(documents, progress, processes)
        index_state(self.name).index_format = INDEX_FORMAT
        db.session.commit()
        return count

    def document_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(IndexedDocument)) or 0

    def search(
        self, plan: QueryPlan, *, page: int, per_page: int, sort: str, open_only: bool
    ) -> IndexPage:
        """The page of `plan`'s matches, matched against what is open to all when `open_only`.

        A table a rebuild has not made in this format (rows written before an upgrade) is
        unavailable: its summary says so and nothing more is read.
        """
        paging = {"limit": per_page, "offset": (page - 1) * per_page, "facet_limit": FACET_LIMIT}
        rows = []
        with search_settings():
            where, rank, params = compile_plan(plan, open_only=open_only, strict=True)
            summary = self.summary(summary_sql(where, rank, sort), params | paging)
            current = summary.index_format == INDEX_FORMAT
            if current and summary.total < ENOUGH_STRICT_MATCHES and plan.has_text:
                where, rank, params = compile_plan(plan, open_only=open_only)
                summary = self.summary(summary_sql(where, rank, sort), params | paging)
            if current:
                rows = self.page_rows(summary.ids, rank, params)
        if not current:
            raise IndexUnavailable(
                f"the search table has format {summary.index_format}, not {INDEX_FORMAT}"
            )
        return IndexPage(
            total=summary.total,
            entries=[(row._mapping, float(row.rank or 0.0)) for row in rows],
            facets=list(zip(summary.facet_tags, summary.facet_counts, strict=True)),
            suggestion=self.suggest(plan, open_only),
        )

    def summary(self, sql: str, params: dict):
        """The row of total, page ids and facet tags and counts."""
        return db.session.execute(text(sql), params).one()

    def page_rows(self, ids: list[int], rank: str, params: dict) -> list:
        """The rows of `ids` in that order, with their rank.

        An indexer may remove a row after the summary read it (each statement sees the changes
        committed before it); that question is left out of the page.
        """
        if not ids:
            return []
        rows = db.session.execute(text(page_rows_sql(rank)), params | {"ids": ids})
        by_id = {row.id: row for row in rows}
        return [by_id[id_] for id_ in ids if id_ in by_id]

    def suggest(self, plan: QueryPlan, open_only: bool) -> str | None:
        """Replace Latin words found nowhere the searcher's vectors cover by the closest word
        open to all (the `spelling` column holds only what everyone may read)."""
        parts, changed = [], False
        for match in plan.words:
            word = match.text.lower()
            latin = word.isascii() and word.isalpha() and len(word) > 3
            if latin and not self.known(match, open_only):
                found = closest_word(word, self.spelling_vocabulary())
                if found:
                    parts.append(found)
                    changed = True
                    continue
            parts.append(match.text)
        return " ".join(parts) if changed else None

    def known(self, match: TextMatch, open_only: bool) -> bool:
        column = (OPEN_TEXT if open_only else WHOLE_TEXT).terms
        statement = KNOWN.format(column=column)
        return bool(db.session.scalar(text(statement), {"q": sequence(match.terms)}))

    def spelling_vocabulary(self) -> list[str]:
        if time.monotonic() - self.vocabulary_loaded_at > VOCABULARY_SECONDS:
            self.vocabulary = list(
                db.session.scalars(
                    text(
                        "SELECT DISTINCT word FROM search_documents,"
                        " regexp_split_to_table(spelling, ' ') AS word WHERE word <> ''"
                    )
                )
            )
            self.vocabulary_loaded_at = time.monotonic()
        return self.vocabulary


@contextmanager
def search_settings():
    """`SEARCH_SETTINGS` for the statements inside; as they were again afterwards.

    `set_config(..., true)` lasts until the transaction ends, and the request's transaction goes
    on after the search, so the previous values are set back. After an error the transaction is
    aborted, and rolling it back restores them.
    """
    previous = db.session.execute(CHANGE_SETTINGS, SEARCH_SETTINGS).one()
    yield
    db.session.execute(SET_SETTINGS, {"seqscan": previous.seqscan, "jit": previous.jit})
