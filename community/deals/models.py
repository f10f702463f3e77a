"""Deals, their tags, the clicks through their go links, and members' 值/不值 votes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db

PLATFORMS = ("taobao", "tmall", "jd", "pdd", "other")
DRAFT, SCHEDULED, LIVE, EXPIRED, RETIRED = "draft", "scheduled", "live", "expired", "retired"
STATUSES = (DRAFT, SCHEDULED, LIVE, EXPIRED, RETIRED)
# Stored statuses a deal is shown under while its time window is open; the window, not a job,
# decides whether it is scheduled, live or expired at a given moment.
PUBLISHED = (SCHEDULED, LIVE)


class Deal(db.Model):
    """An item at a platform, its price and coupon, and the URL template its go link fills.

    Money is in fen; `commission_rate` in basis points (550 = 5.5%).
    """

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(
            "platform IN ('taobao', 'tmall', 'jd', 'pdd', 'other')", name="platform_known"
        ),
        CheckConstraint(
            "status IN ('draft', 'scheduled', 'live', 'expired', 'retired')", name="status_known"
        ),
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("list_price IS NULL OR list_price >= price", name="price_within_list"),
        CheckConstraint("commission_rate BETWEEN 0 AND 10000", name="commission_rate_range"),
        CheckConstraint("expires_at IS NULL OR expires_at >= starts_at", name="window_ordered"),
        CheckConstraint("worth_votes >= 0 AND unworth_votes >= 0", name="votes_not_negative"),
        Index("ix_deals_feed", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id in the operator's own spreadsheet; importing the same id again updates this deal.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(16))
    list_price: Mapped[int | None] = mapped_column()
    price: Mapped[int] = mapped_column()
    coupon: Mapped[str] = mapped_column(String(200), default="")
    coupon_code: Mapped[str] = mapped_column(String(64), default="")
    coupon_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commission_rate: Mapped[int] = mapped_column(default=0)
    # The affiliate URL with the member's places: {sub_id}, {adzone_id}, {relation_id}.
    url_template: Mapped[str] = mapped_column(Text)
    # The item's address without the member's places, for "already live" warnings.
    item_key: Mapped[str] = mapped_column(String(255), index=True)
    image_url: Mapped[str] = mapped_column(String(500), default="")
    category: Mapped[str] = mapped_column(String(40), default="", index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    worth_votes: Mapped[int] = mapped_column(default=0)
    unworth_votes: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The member whose tip (爆料) this deal came from.
    tipped_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tags: Mapped[list[DealTag]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealTag.position"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    tipped_by: Mapped[User | None] = relationship(foreign_keys=[tipped_by_id])

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    def state_at(self, moment: datetime) -> str:
        """What the deal is at `moment`: published deals move from scheduled to live to
        expired by their time window alone."""
        if self.status not in PUBLISHED:
            return self.status
        if self.expires_at is not None and self.expires_at <= moment:
            return EXPIRED
        if self.starts_at > moment:
            return SCHEDULED
        return LIVE

    @property
    def discount(self) -> int:
        """Fen off the list price (0 without one)."""
        return (self.list_price - self.price) if self.list_price else 0

    def __repr__(self) -> str:
        return f"<Deal {self.id} {self.platform} {self.status}>"


class DealTag(db.Model):
    """One tag of a deal, in the order it was given."""

    __tablename__ = "deal_tags"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    deal: Mapped[Deal] = relationship(back_populates="tags")

    def __repr__(self) -> str:
        return f"<DealTag {self.deal_id} {self.name}>"


class DealClick(db.Model):
    """One go-link redirect answered: who, which deal, when, from where (IP hashed)."""

    __tablename__ = "deal_clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    clicked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip_hash: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    def __repr__(self) -> str:
        return f"<DealClick deal={self.deal_id} user={self.user_id}>"


class DealVote(db.Model):
    """A member's 值 (worth) or 不值 (not worth) on a deal; one per member per deal."""

    __tablename__ = "deal_votes"

    deal_id: Mapped[int] = mapped_column(
        ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    worth: Mapped[bool] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<DealVote deal={self.deal_id} user={self.user_id} worth={self.worth}>"


class DealsVersion(db.Model):
    """One row whose number changes with every write to what deal pages show (deals, tags,
    votes, comments): shared renderings of the feed and deal pages are keyed by it."""

    __tablename__ = "deals_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
