"""Rows of `search_documents`, made from documents as values or as COPY text."""

from __future__ import annotations

from datetime import datetime

from community.clock import UTCDateTime
from community.search.analysis import fold_text, latin_words
from community.search.documents import SearchDocument
from community.search.postgres_terms import document_vectors
from community.search.stored import STORED_VALUES, stored_values

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
    "open_terms",
    "open_grams",
)
# The stored values of a hit (stored.py), as the page's rows read them.
HIT_COLUMNS = ", ".join(f"d.{name}" for name in STORED_VALUES)
UTC_TIMES = UTCDateTime()
# COPY's text format: backslash escapes for the characters that separate values and rows.
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def document_row(doc: SearchDocument) -> dict:
    terms, grams, open_terms, open_grams = document_vectors(doc)
    return {
        **stored_values(doc),
        "author": fold_text(doc.author.strip())[:80],
        "updated_at": doc.updated_at,
        "terms": terms,
        "grams": grams,
        "spelling": " ".join(sorted(set(latin_words(doc.spelling_text)))),
        "open_terms": open_terms,
        "open_grams": open_grams,
    }


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
