"""Search's periodic task: the index is there, readable, and its indexer keeps up."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from community.clock import utcnow
from community.extensions import db
from community.jobs import periodic
from community.search.indexer import ensure_index
from community.search.models import SearchChange

log = logging.getLogger(__name__)
# A change waiting longer than this means no indexer is applying them.
LAG_WARNING = timedelta(minutes=10)


@periodic("search.index-check", every=timedelta(minutes=10))
def check_index() -> None:
    """Rebuild a missing or unreadable index; warn when changes wait too long."""
    ensure_index()
    oldest = db.session.scalar(select(func.min(SearchChange.created_at)))
    if oldest is not None and utcnow() - oldest > LAG_WARNING:
        log.warning(
            "search changes have waited since %s UTC: is `flask search worker` running?",
            f"{oldest:%Y-%m-%d %H:%M}",
        )
