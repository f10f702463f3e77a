"""Questions, their tags, the titles merged into them, and the revisions of every edit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db

if TYPE_CHECKING:
    from community.qa.models.answer import Answer


def unrendered_index(table: str) -> Index:
    """The rows of `table` whose HTML is still to be rendered (none, most of the time)."""
    waiting = text("body_html IS NULL")
    return Index(f"ix_{table}_unrendered", "id", sqlite_where=waiting, postgresql_where=waiting)


class QuestionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    LOCKED = "locked"


question_tags = Table(
    "qa_question_tags",
    db.metadata,
    Column("question_id", ForeignKey("qa_questions.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("qa_tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(db.Model):
    __tablename__ = "qa_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    aliases: Mapped[list[TagAlias]] = relationship(
        back_populates="tag", cascade="all, delete-orphan", order_by="TagAlias.name"
    )

    def __repr__(self) -> str:
        return f"<Tag {self.name}>"


class TagAlias(db.Model):
    """Another name for a tag: asking with it files the question under the tag."""

    __tablename__ = "qa_tag_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("qa_tags.id", ondelete="CASCADE"), index=True)

    tag: Mapped[Tag] = relationship(back_populates="aliases")

    def __repr__(self) -> str:
        return f"<TagAlias {self.name} -> {self.tag_id}>"


class QuestionState:
    """What a question's status and deletion allow, for the model and for rows read as pages
    show them (`qa.pages.shown.ShownQuestion`); both have `status` and `deleted_at`."""

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def takes_answers(self) -> bool:
        return self.status == QuestionStatus.OPEN and not self.is_deleted

    @property
    def takes_comments(self) -> bool:
        return self.status != QuestionStatus.LOCKED and not self.is_deleted


class Question(QuestionState, db.Model):
    __tablename__ = "qa_questions"
    # One index per list order, so a page reads the first rows of an index instead of sorting.
    __table_args__ = (
        Index("ix_qa_questions_newest", "pinned", "created_at", "id"),
        Index("ix_qa_questions_hot", "hot_rank", "id"),
        Index("ix_qa_questions_unanswered", "answer_count", "created_at", "id"),
        Index("ix_qa_questions_author", "author_id", "created_at"),
        Index("ix_qa_questions_duplicate_of", "duplicate_of_id"),
        unrendered_index("qa_questions"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id a question had in an imported file; re-imports match on it.
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # Both NULL until rendered: an import leaves that to a job (qa/unrendered.py).
    body_html: Mapped[str | None] = mapped_column(Text)
    teaser: Mapped[str | None] = mapped_column(String(200))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=QuestionStatus.OPEN.value)
    close_reason: Mapped[str] = mapped_column(Text, default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("qa_questions.id"))
    featured: Mapped[bool] = mapped_column(default=False)
    public: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    expert_requested: Mapped[bool] = mapped_column(default=False)
    # False while a first post waits in the review queue.
    approved: Mapped[bool] = mapped_column(default=True)
    score: Mapped[int] = mapped_column(default=0)
    answer_count: Mapped[int] = mapped_column(default=0)
    # Votes decayed by age, fixed at write time so lists can sort on a column.
    hot_rank: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by every change the question's page or list row shows (qa/pages/versions.py);
    # cached renderings are keyed by it.
    render_version: Mapped[int] = mapped_column(default=1, server_default="1")

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    tags: Mapped[list[Tag]] = relationship(secondary=question_tags, order_by=Tag.name)
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", foreign_keys="Answer.question_id"
    )
    duplicate_of: Mapped[Question | None] = relationship(remote_side=[id])
    aliases: Mapped[list[QuestionAlias]] = relationship(
        back_populates="question",
        foreign_keys="QuestionAlias.question_id",
        order_by="QuestionAlias.id",
    )

    def __repr__(self) -> str:
        return f"<Question {self.id} {self.title[:20]!r}>"


class QuestionAlias(db.Model):
    """The title of a question merged into this one, kept so search still finds it."""

    __tablename__ = "qa_question_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    merged_question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(back_populates="aliases", foreign_keys=[question_id])

    def __repr__(self) -> str:
        return f"<QuestionAlias {self.title[:20]!r} -> {self.question_id}>"


class Revision(db.Model):
    """One saved state of a question or an answer, with its rendered HTML."""

    __tablename__ = "qa_revisions"
    __table_args__ = (unrendered_index("qa_revisions"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_answers.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200), default="")
    tags: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(String(200), default="")
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    editor: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Revision {self.id} #{self.number} q={self.question_id} a={self.answer_id}>"
