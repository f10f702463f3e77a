"""Search: one service over a Whoosh or PostgreSQL index, fed by an outbox of content changes.

A domain declares what it indexes by registering a `SearchSource` (see `documents.py`) and
records changes with `record_change(document_id)` in the transaction that makes them.
"""

from community.search.documents import (
    AnswerText,
    Listing,
    SearchDocument,
    SearchSource,
    register_source,
)
from community.search.outbox import record_change, record_changes

__all__ = [
    "AnswerText",
    "Listing",
    "SearchDocument",
    "SearchSource",
    "record_change",
    "record_changes",
    "register_source",
]
