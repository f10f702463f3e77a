"""Rows of `search_documents`: made from documents (as values or as COPY text), read into hits."""

from __future__ import annotations

from datetime import UTC, datetime

from community.clock import UTCDateTime
from community.search.analysis import fold_text, latin_words
from community.search.documents import ANSWER_SEPARATOR, SearchDocument
from community.search.highlight import Highlighter
from community.search.postgres_terms import document_vectors
from community.search.results import HitText, ReadRule, SearchHit

# The table's columns in its order, as COPY writes them.
COLUMNS = (
    "id",
    "external_id",
    "title",
    "teaser",
    "body",
    "top_answers",
    "other_answers",
    "tags",
    "author",
    "featured",
    "public",
    "closed",
    "accepted",
    "answer_count",
    "votes",
    "created_at",
    "updated_at",
    "terms",
    "grams",
    "spelling",
)
HIT_COLUMNS = (
    "d.id, d.external_id, d.title, d.teaser, d.body, d.top_answers, d.other_answers, d.tags,"
    " d.answer_count, d.accepted, d.featured, d.public, d.closed, d.votes, d.created_at"
)
UTC_TIMES = UTCDateTime()
# COPY's text format: backslash escapes for the characters that separate values and rows.
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def document_row(doc: SearchDocument) -> dict:
    terms, grams = document_vectors(doc)
    return {
        "id": doc.id,
        "external_id": doc.external_id,
        "title": doc.title,
        "teaser": doc.teaser,
        "body": doc.body,
        "top_answers": ANSWER_SEPARATOR.join(doc.top_answers),
        "other_answers": ANSWER_SEPARATOR.join(doc.other_answers),
        "tags": "\n".join(fold_text(tag.strip()) for tag in doc.tags if tag.strip()),
        "author": fold_text(doc.author.strip())[:80],
        "featured": doc.featured,
        "public": doc.public,
        "closed": doc.closed,
        "accepted": doc.accepted,
        "answer_count": doc.answer_count,
        "votes": doc.votes,
        "created_at": doc.created_at,
        "updated_at": doc.updated_at,
        "terms": terms,
        "grams": grams,
        "spelling": " ".join(sorted(set(latin_words_of(doc)))),
    }


def latin_words_of(doc: SearchDocument) -> list[str]:
    return latin_words(" ".join([doc.title, *doc.tags, doc.body]))


def copy_value(value) -> str:
    """One value in COPY's text format; times as `UTCDateTime` stores them (naive UTC)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return UTC_TIMES.process_bind_param(value, None).isoformat(" ")
    value = str(value)
    for character, escaped in COPY_ESCAPES:
        value = value.replace(character, escaped)
    return value


def copy_text(documents: list[SearchDocument]) -> bytes:
    """The rows of `documents` in COPY's text format, in the order of `COLUMNS`."""
    lines = []
    for doc in documents:
        row = document_row(doc)
        lines.append("\t".join(copy_value(row[column]) for column in COLUMNS))
    return ("\n".join(lines) + "\n").encode() if lines else b""


def hit_from_row(row, highlighter: Highlighter, may_read: ReadRule) -> SearchHit:
    hit = SearchHit(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        tags=[tag for tag in row.tags.split("\n") if tag],
        answer_count=row.answer_count,
        accepted=row.accepted,
        featured=row.featured,
        public=row.public,
        closed=row.closed,
        votes=row.votes,
        created_at=row.created_at.replace(tzinfo=UTC),
        score=float(row.rank or 0.0),
    )
    text_ = HitText(
        title=row.title,
        teaser=row.teaser,
        body=row.body,
        top_answers=[part for part in row.top_answers.split(ANSWER_SEPARATOR) if part.strip()],
        other_answers=[part for part in row.other_answers.split(ANSWER_SEPARATOR) if part.strip()],
    )
    return highlighter.fill(hit, text_, may_read)
