"""The indexer loop: rebuild a missing index, then apply the outbox as changes are committed."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import delete, select

from community.clock import utcnow
from community.extensions import db
from community.failure_log import log_failure
from community.search.documents import current_source, has_source
from community.search.models import SearchChange
from community.search.outbox import apply_all, changes_committed, index_state, pending_count
from community.search.service import search_service
from community.search.staleness import stale_since

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
# Pending changes from which rebuilding the index is faster than applying them one by one.
REBUILD_FROM = 1000
DELETE_BATCH = 1000


def rebuild_index(progress=lambda count: None, processes: int = 1) -> int:
    """Index every document of the source into a fresh index and swap it in.

    `processes` above one lets the Whoosh backend fork sub-writers; only a command (never a web
    process with its threads) asks for that.
    """
    service = search_service()
    service.refresh_dictionary(force=True)
    # Changes committed before the documents are read are in the new index; only those can
    # leave the outbox afterwards (one committed later, even with a lower id, stays).
    applied = list(db.session.scalars(select(SearchChange.id)))
    source = current_source()
    ids = list(source.all_ids())
    batch = 500
    # Each batch's rows leave the session once indexed (memory stays flat); the caller's stay.
    callers = set(db.session.identity_map.keys())

    def documents():
        for start in range(0, len(ids), batch):
            yield from source.load(ids[start : start + batch])
            for key, instance in list(db.session.identity_map.items()):
                if key not in callers:
                    db.session.expunge(instance)

    count = service.backend.rebuild(documents(), progress, processes)
    index_state(service.backend.name).rebuilt_at = utcnow()
    service.staleness.mark_current()
    for start in range(0, len(applied), DELETE_BATCH):
        chunk = applied[start : start + DELETE_BATCH]
        db.session.execute(delete(SearchChange).where(SearchChange.id.in_(chunk)))
    db.session.commit()
    return count


def catch_up() -> int:
    """Bring the index up to date with what is committed now, before a command returns.

    A missing, unreadable or stale index, or many pending changes, is rebuilt; otherwise the
    pending changes are applied (an indexer holding the lock applies them itself). Returns how
    many pending changes are left to another indexer.
    """
    backend = search_service().backend
    stale = stale_since(backend.name) is not None
    if stale or not backend.is_ready() or pending_count() >= REBUILD_FROM:
        rebuild_index()
    else:
        apply_all(backend)
    db.session.commit()
    return pending_count()


def ensure_index() -> None:
    """Rebuild the index when it is missing, cannot be read, or missed changes that another
    backend took while SEARCH_BACKEND named it."""
    service = search_service()
    backend = service.backend
    stale = stale_since(backend.name)
    if stale is not None:
        logger.warning(
            "the %s search index missed changes applied to the %s backend (last %s); rebuilding it",
            backend.name,
            stale[0],
            f"{stale[1]:%Y-%m-%d %H:%M} UTC",
        )
    elif backend.is_ready():
        return
    else:
        logger.warning("search index missing or unreadable; rebuilding it")
    count = rebuild_index()
    logger.info("search index rebuilt with %d documents", count)


def run_indexer(app: Flask, stop: threading.Event, poll: float = POLL_SECONDS) -> None:
    """Apply committed changes until `stop` is set; the single writer of the index."""
    with app.app_context():
        try:
            ensure_index()
        finally:
            db.session.remove()
    while not stop.is_set():
        changes_committed.wait(poll)
        changes_committed.clear()
        with app.app_context():
            try:
                service = search_service()
                service.refresh_dictionary()
                applied = apply_all(service.backend)
                if applied:
                    logger.debug("search indexer applied %d changes", applied)
            except Exception as error:
                log_failure(logger, "search indexer failed; retrying", error=error)
                stop.wait(poll)
            finally:
                db.session.remove()
    with app.app_context():
        search_service().backend.close()


def start_indexer_thread(app: Flask) -> threading.Thread:
    """Run the indexer in a daemon thread of this process (development)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_indexer, args=(app, stop), name="search-indexer", daemon=True
    )
    thread.stop = stop
    thread.start()
    return thread


def init_app(app: Flask) -> None:
    """Start the in-process indexer with the first request, when the config asks for it."""
    if app.config["SEARCH_INDEXER"] != "thread":
        return
    state = app.extensions.setdefault("search", {})
    lock = threading.Lock()

    @app.before_request
    def start_indexer_once() -> None:
        if "indexer" not in state and has_source():
            with lock:
                if "indexer" not in state:
                    state["indexer"] = start_indexer_thread(app)
