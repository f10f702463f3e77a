"""Tiers, and the paid (or complimentary) periods that make a membership, with their history.

Payments live in billing; a period or a change names the payment behind it by id only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db


class Tier(db.Model):
    __tablename__ = "tiers"
    __table_args__ = (
        CheckConstraint("annual_price >= 0", name="price_not_negative"),
        CheckConstraint("rebate_share BETWEEN 0 AND 100", name="rebate_share_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32), unique=True)
    # `name` and `description` are in the site's first language (Chinese); the `_en` pair is
    # what English readers see, when set (membership.tiers.tier_name and tier_description pick).
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(String(60), default="", server_default="")
    description_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Integer minor units (fen for CNY).
    annual_price: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    # Percent of an affiliate commission returned to a buyer on this tier.
    rebate_share: Mapped[int] = mapped_column(default=0)
    rank: Mapped[int] = mapped_column(default=0)
    can_read_answers: Mapped[bool] = mapped_column(default=False)
    can_ask: Mapped[bool] = mapped_column(default=False)
    can_deals: Mapped[bool] = mapped_column(default=False)
    can_ask_expert: Mapped[bool] = mapped_column(default=False)
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Tier {self.slug} {self.annual_price} {self.currency}>"

    @property
    def is_paid(self) -> bool:
        return self.annual_price > 0

    def grants(self, entitlement: str) -> bool:
        return bool(getattr(self, f"can_{entitlement}"))


class MembershipPeriod(db.Model):
    """One stretch of time on a tier, paid for or granted. Revoked periods stay as history."""

    __tablename__ = "membership_periods"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_membership_periods_user_span", "user_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(16))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)

    tier: Mapped[Tier] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])

    def __repr__(self) -> str:
        return f"<MembershipPeriod {self.id} user={self.user_id} ends={self.ends_at:%Y-%m-%d}>"

    def covers(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.starts_at <= moment < self.ends_at


class PeriodSource:
    """Why a period exists; grace periods are never counted as paid time.

    An upgrade period was priced as the difference to the lower tier's time under it, so it
    only stands while lower-tier time covers it (`periods.cut_unbacked_upgrades`).
    """

    PAYMENT = "payment"
    UPGRADE = "upgrade"
    COMP = "comp"
    GRACE = "grace"
    CHANGE = "change"


class MembershipChange(db.Model):
    """Append-only history: every change to a membership, with who, when, why and which payment."""

    __tablename__ = "membership_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # None when the change came from a provider event or a scheduled job.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    period_id: Mapped[int | None] = mapped_column(ForeignKey("membership_periods.id"))
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    tier: Mapped[Tier | None] = relationship()

    def __repr__(self) -> str:
        return f"<MembershipChange {self.id} {self.action} user={self.user_id}>"
