"""What members add around deals: comments, tips (爆料) and keyword alerts with their hits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.deals.models import Deal
from community.extensions import db

PENDING, PUBLISHED, REJECTED = "pending", "published", "rejected"
TIP_STATUSES = (PENDING, PUBLISHED, REJECTED)
# How a member hears of an alert's hit besides the bell: a mail now, their digest, or no mail.
DELIVERIES = ("now", "digest", "none")


class DealComment(db.Model):
    """A short plain-text remark on a deal, as on a Q&A post."""

    __tablename__ = "deal_comments"
    __table_args__ = (Index("ix_deal_comments_deal", "deal_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<DealComment {self.id} deal={self.deal_id}>"


class DealTip(db.Model):
    """A member's tip (爆料): an item they found, waiting for an operator to complete it."""

    __tablename__ = "deal_tips"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'published', 'rejected')", name="status_known"),
        CheckConstraint("price >= 0", name="price_not_negative"),
        Index("ix_deal_tips_queue", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(1000))
    item_key: Mapped[str] = mapped_column(String(255), index=True)
    # The item's key while the tip waits for review: two waiting tips of one item cannot exist,
    # however close together they arrive (NULL once reviewed, and NULLs never collide).
    pending_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    price: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    deal: Mapped[Deal | None] = relationship()

    def __repr__(self) -> str:
        return f"<DealTip {self.id} {self.status}>"


class DealAlert(db.Model):
    """A member's saved keywords, with an optional platform and highest price (fen)."""

    __tablename__ = "deal_alerts"
    __table_args__ = (
        CheckConstraint("delivery IN ('now', 'digest', 'none')", name="delivery_known"),
        CheckConstraint("max_price IS NULL OR max_price >= 0", name="max_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    keywords: Mapped[str] = mapped_column(String(100))
    platform: Mapped[str | None] = mapped_column(String(16))
    max_price: Mapped[int | None] = mapped_column()
    delivery: Mapped[str] = mapped_column(String(8), default="now")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<DealAlert {self.id} user={self.user_id} {self.keywords!r}>"


class DealAlertHit(db.Model):
    """A member told of a deal by one of their alerts: at most once per member and deal."""

    __tablename__ = "deal_alert_hits"
    __table_args__ = (UniqueConstraint("user_id", "deal_id", name="once_per_member"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("deal_alerts.id", ondelete="SET NULL"), index=True
    )
    # The bell's notification of it, which also records whether it was mailed.
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("qa_notifications.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<DealAlertHit user={self.user_id} deal={self.deal_id}>"


class DealAlertScan(db.Model):
    """A live deal the alert job has matched against every alert (once per deal)."""

    __tablename__ = "deal_alert_scans"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<DealAlertScan deal={self.deal_id}>"
