"""The search tables: the outbox of changes, the community dictionary, the indexer's state and the
documents of the PostgreSQL backend."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from community.clock import UTCDateTime, utcnow
from community.extensions import db
from community.search.postgres_table import (
    AUTHOR_INDEX,
    GIN_WITH,
    TABLE,
    VECTOR_COLUMNS,
    vector_index,
)


class SearchChange(db.Model):
    """One pending change: the document with this id must be re-read and re-indexed."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchChange {self.id} document={self.document_id}>"


class DictionaryTerm(db.Model):
    """A word of the community dictionary (淘宝客, 年费, 返利) that segmentation keeps whole."""

    __tablename__ = "search_dictionary"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(40), unique=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<DictionaryTerm {self.term}>"


class IndexState(db.Model):
    """What the indexer of one backend applied last."""

    __tablename__ = "search_state"

    backend: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_change_id: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The format of the index a rebuild last made, for a backend that keeps it in the database.
    index_format: Mapped[int | None]

    def __repr__(self) -> str:
        return f"<IndexState {self.backend} change={self.last_change_id}>"


class TermVector(TypeDecorator):
    """A tsvector on PostgreSQL; text elsewhere (the table exists, unused, on SQLite)."""

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(TSVECTOR())
        return dialect.type_descriptor(Text())


class IndexedDocument(db.Model):
    """A document as the PostgreSQL backend indexes it: terms made by our analyzer in Python."""

    __tablename__ = TABLE
    # GIN on PostgreSQL; on SQLite the table stays empty and the indexes are plain ones. The
    # rebuild makes the same on its new table (postgres_table.py).
    __table_args__ = (
        *(
            Index(
                vector_index(column),
                column,
                postgresql_using="gin",
                postgresql_with=GIN_WITH,
            )
            for column in VECTOR_COLUMNS
        ),
        Index(AUTHOR_INDEX, "author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    external_id: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    teaser: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    top_answers: Mapped[str] = mapped_column(Text)
    other_answers: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    featured: Mapped[bool]
    public: Mapped[bool]
    closed: Mapped[bool]
    accepted: Mapped[bool]
    answer_count: Mapped[int]
    votes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    terms: Mapped[str] = mapped_column(TermVector())
    grams: Mapped[str] = mapped_column(TermVector())
    spelling: Mapped[str] = mapped_column(Text)
    # What everyone may read of the document (title, aliases, tags, teaser, or all of it).
    open_terms: Mapped[str] = mapped_column(TermVector())
    open_grams: Mapped[str] = mapped_column(TermVector())

    def __repr__(self) -> str:
        return f"<IndexedDocument {self.id}>"
