"""The outbox: a change is recorded in the transaction that makes it and applied after commit.

The indexer takes the index's write lock, reads pending rows, loads their documents from the
source, writes them, commits the index and only then deletes the rows it applied: a crash at any
point leaves the rows to be applied again (applying a document twice is harmless).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import delete, event, func, select

from community.clock import utcnow
from community.database import insert_rows
from community.extensions import db
from community.search.documents import current_source
from community.search.errors import IndexBusy
from community.search.models import IndexState, SearchChange

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
changes_committed = threading.Event()


def record_change(document_id: int) -> None:
    """Queue `document_id` for re-indexing, inside the caller's transaction."""
    db.session.add(SearchChange(document_id=document_id))
    db.session.info["search_changes"] = True


def record_changes(document_ids: list[int]) -> None:
    """Queue many documents at once (an import) in one statement (COPY on PostgreSQL), inside
    the caller's transaction."""
    if document_ids:
        moment = utcnow()
        insert_rows(
            db.session,
            SearchChange.__table__,
            [{"document_id": document_id, "created_at": moment} for document_id in document_ids],
        )
        db.session.info["search_changes"] = True


@event.listens_for(db.session, "after_commit")
def wake_indexer(session) -> None:
    if session.info.pop("search_changes", False):
        changes_committed.set()


@event.listens_for(db.session, "after_rollback")
def forget_changes(session) -> None:
    session.info.pop("search_changes", None)


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange)) or 0


def index_state(backend_name: str) -> IndexState:
    state = db.session.get(IndexState, backend_name)
    if state is None:
        state = IndexState(backend=backend_name, last_change_id=0)
        db.session.add(state)
    return state


def apply_pending(backend, batch_size: int = BATCH_SIZE) -> int:
    """Apply one batch of pending changes to `backend`; return how many rows were applied."""
    if not db.session.scalar(select(SearchChange.id).limit(1)):
        db.session.rollback()
        return 0
    try:
        with backend.writing() as writer:
            rows = db.session.execute(
                select(SearchChange.id, SearchChange.document_id)
                .order_by(SearchChange.id)
                .limit(batch_size)
            ).all()
            ids = sorted({row.document_id for row in rows})
            live = [doc for doc in current_source().load(ids) if not doc.deleted]
            writer.put(live)
            writer.remove(set(ids) - {doc.id for doc in live})
    except IndexBusy:
        db.session.rollback()
        return 0
    applied = [row.id for row in rows]
    db.session.execute(delete(SearchChange).where(SearchChange.id.in_(applied)))
    state = index_state(backend.name)
    state.last_change_id = max(applied, default=state.last_change_id)
    state.applied_at = utcnow()
    db.session.commit()
    return len(applied)


def apply_all(backend, batch_size: int = BATCH_SIZE) -> int:
    """Apply batches until the outbox is empty (or another indexer holds the lock)."""
    total = 0
    while applied := apply_pending(backend, batch_size):
        total += applied
    return total
