"""Answers, comments on questions and answers, and votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db
from community.qa.models.question import Question, unrendered_index


class Answer(db.Model):
    __tablename__ = "qa_answers"
    __table_args__ = (
        Index("ix_qa_answers_question", "question_id", "created_at"),
        unrendered_index("qa_answers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # NULL until rendered: an import leaves that to a job (qa/unrendered.py).
    body_html: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[bool] = mapped_column(default=False)
    canonical: Mapped[bool] = mapped_column(default=False)
    by_expert: Mapped[bool] = mapped_column(default=False)
    approved: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[Question] = relationship(back_populates="answers", foreign_keys=[question_id])
    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Answer {self.id} q={self.question_id}>"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Comment(db.Model):
    """A short plain-text remark on a question (answer_id empty) or on one of its answers."""

    __tablename__ = "qa_comments"
    __table_args__ = (Index("ix_qa_comments_question", "question_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("qa_questions.id", ondelete="CASCADE"))
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_answers.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<Comment {self.id} q={self.question_id} a={self.answer_id}>"


class Vote(db.Model):
    """One person's +1 or -1 on one question or one answer; changing it replaces the value."""

    __tablename__ = "qa_votes"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_qa_votes_user_question"),
        UniqueConstraint("user_id", "answer_id", name="uq_qa_votes_user_answer"),
        CheckConstraint("value IN (-1, 1)", name="value_is_up_or_down"),
        CheckConstraint("(question_id IS NULL) <> (answer_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_answers.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Vote {self.value:+d} user={self.user_id} q={self.question_id} a={self.answer_id}>"
