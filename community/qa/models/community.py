"""What members do around posts: follows, flags, notifications; and the staff's records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db
from community.qa.models.question import Question, Tag


class QuestionFollow(db.Model):
    __tablename__ = "qa_question_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<QuestionFollow user={self.user_id} q={self.question_id}>"


class TagFollow(db.Model):
    __tablename__ = "qa_tag_follows"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("qa_tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tag: Mapped[Tag] = relationship()

    def __repr__(self) -> str:
        return f"<TagFollow user={self.user_id} tag={self.tag_id}>"


class Flag(db.Model):
    """A member's report that a post needs a moderator's look."""

    __tablename__ = "qa_flags"
    __table_args__ = (Index("ix_qa_flags_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("qa_answers.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    original_id: Mapped[int | None] = mapped_column(ForeignKey("qa_questions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(String(16), default="")

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    question: Mapped[Question] = relationship(foreign_keys=[question_id])

    def __repr__(self) -> str:
        return f"<Flag {self.id} {self.reason} q={self.question_id} a={self.answer_id}>"


class ModerationAction(db.Model):
    """The log of every curation and moderation step an operator took."""

    __tablename__ = "qa_moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="SET NULL"), index=True
    )
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("qa_answers.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ModerationAction {self.action} by={self.actor_id} q={self.question_id}>"


class Notification(db.Model):
    __tablename__ = "qa_notifications"
    __table_args__ = (Index("ix_qa_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    # A notification about a question names it; one about something another domain owns (a
    # deal matching an alert) carries that thing's title and site path instead.
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_questions.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(200), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    question: Mapped[Question | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])

    @property
    def title(self) -> str:
        return self.question.title if self.question is not None else self.subject

    def __repr__(self) -> str:
        return f"<Notification {self.kind} user={self.user_id} q={self.question_id}>"


class NotificationSettings(db.Model):
    """How often a member wants the email digest, and when the last one went out."""

    __tablename__ = "qa_notification_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(8), default="weekly")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<NotificationSettings user={self.user_id} {self.digest}>"


class Expert(db.Model):
    """A user an admin trusts to answer the experts' queue."""

    __tablename__ = "qa_experts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Expert user={self.user_id}>"


class QaSetting(db.Model):
    """Switches operators flip at run time, e.g. whether first posts wait for approval."""

    __tablename__ = "qa_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<QaSetting {self.key}={self.value!r}>"
