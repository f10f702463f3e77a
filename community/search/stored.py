"""What both indexes keep of a document to show it as a hit, and the one place hits are made.

The Whoosh backend keeps these values as stored fields and the PostgreSQL backend as columns,
both as `stored_values` gives them; the database fallback turns its documents into them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from community.search.analysis import fold_text
from community.search.documents import ANSWER_SEPARATOR, SearchDocument
from community.search.results import HitText, SearchHit

# Tags are joined by a character no tag holds (and which Whoosh's keyword field splits on).
TAG_SEPARATOR = ","
STORED_TEXTS = ("title", "teaser", "body", "top_answers", "other_answers")
# The names of what `stored_values` gives, in its order.
STORED_VALUES = (
    "id",
    "external_id",
    *STORED_TEXTS,
    "tags",
    "answer_count",
    "accepted",
    "featured",
    "public",
    "closed",
    "votes",
    "created_at",
)


def stored_values(doc: SearchDocument) -> dict[str, Any]:
    """What an index keeps of `doc` to show it: texts, tags, counts, flags and its date."""
    return {name: values[0] for name, values in stored_columns([doc]).items()}


def stored_columns(docs: list[SearchDocument]) -> dict[str, list]:
    """`stored_values` of many documents, as one list per name (in `STORED_VALUES` order)."""
    # Few tags, each seen again and again.
    fold_tag = cache(lambda tag: fold_text(tag.strip()))
    return {
        "id": [doc.id for doc in docs],
        "external_id": [doc.external_id for doc in docs],
        "title": [doc.title for doc in docs],
        "teaser": [doc.teaser for doc in docs],
        "body": [doc.body for doc in docs],
        "top_answers": [ANSWER_SEPARATOR.join(doc.top_answers) for doc in docs],
        "other_answers": [ANSWER_SEPARATOR.join(doc.other_answers) for doc in docs],
        "tags": [
            TAG_SEPARATOR.join(fold_tag(tag) for tag in doc.tags if tag.strip()) for doc in docs
        ],
        "answer_count": [doc.answer_count for doc in docs],
        "accepted": [doc.accepted for doc in docs],
        "featured": [doc.featured for doc in docs],
        "public": [doc.public for doc in docs],
        "closed": [doc.closed for doc in docs],
        "votes": [doc.votes for doc in docs],
        "created_at": [doc.created_at for doc in docs],
    }


def hit_from_stored(values: Mapping[str, Any], score: float) -> tuple[SearchHit, HitText]:
    """The hit of stored values (a backend's page entry), and the texts its snippet is cut from."""
    hit = SearchHit(
        id=int(values["id"]),
        external_id=values.get("external_id"),
        title=values["title"],
        tags=[tag for tag in values.get("tags", "").split(TAG_SEPARATOR) if tag],
        answer_count=values.get("answer_count", 0),
        accepted=values.get("accepted", False),
        featured=values.get("featured", False),
        public=values.get("public", False),
        closed=values.get("closed", False),
        votes=values.get("votes", 0),
        created_at=as_utc(values.get("created_at")),
        score=score,
    )
    text = HitText(
        title=hit.title,
        teaser=values.get("teaser", ""),
        body=values.get("body", ""),
        top_answers=split_answers(values.get("top_answers", "")),
        other_answers=split_answers(values.get("other_answers", "")),
    )
    return hit, text


def as_utc(moment: datetime | None) -> datetime | None:
    """Indexes keep naive UTC times; hits carry aware ones."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def split_answers(text: str) -> list[str]:
    return [part for part in text.split(ANSWER_SEPARATOR) if part.strip()]
