"""Payments and what surrounds them: refunds, provider events, billing profiles, reminders,
billing settings. Tiers and periods are the membership domain's (community/membership)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db
from community.membership.models import Tier


class Payment(db.Model):
    """One purchase of a year (or an upgrade) through a provider. Refunds are rows of their own."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("balance_amount BETWEEN 0 AND amount", name="balance_within_amount"),
        UniqueConstraint("provider", "provider_session_id", name="uq_payments_provider_session"),
        UniqueConstraint("provider", "provider_invoice_id", name="uq_payments_provider_invoice"),
        Index("ix_payments_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    provider: Mapped[str] = mapped_column(String(16))
    # "pass" (one year, paid once) or "subscription" (yearly card, renews by itself).
    mode: Mapped[str] = mapped_column(String(16), default="pass")
    # new, renewal or upgrade: what the site quoted when checkout started.
    kind: Mapped[str] = mapped_column(String(16))
    # What the site quoted, in minor units; a provider must collect exactly this.
    amount: Mapped[int] = mapped_column()
    # The part of `amount` paid from the member's balance (rebates); the provider takes the rest.
    balance_amount: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3))
    # pending, processing, paid, failed, flagged (paid amount did not match the quote).
    status: Mapped[str] = mapped_column(String(16), default="pending")
    provider_session_id: Mapped[str | None] = mapped_column(String(255))
    provider_payment_id: Mapped[str | None] = mapped_column(String(255), index=True)
    provider_invoice_id: Mapped[str | None] = mapped_column(String(255))
    provider_subscription_id: Mapped[str | None] = mapped_column(String(255))
    # For an upgrade: the end date it was priced to, which the new period keeps.
    period_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    tier: Mapped[Tier] = relationship(lazy="joined")
    user: Mapped[User] = relationship()
    refunds: Mapped[list[Refund]] = relationship(
        back_populates="payment", order_by="Refund.id", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.kind} {self.amount} {self.currency} {self.status}>"

    @property
    def refunded_amount(self) -> int:
        return sum(refund.amount for refund in self.refunds)

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.refunded_amount if self.status == "paid" else 0

    @property
    def provider_amount(self) -> int:
        """What the provider collects: the amount less the part paid from the balance."""
        return self.amount - self.balance_amount

    @property
    def provider_refunded_amount(self) -> int:
        return sum(refund.amount for refund in self.refunds if not refund.to_balance)

    @property
    def provider_refundable_amount(self) -> int:
        """What the provider can still give back (refunds past it return to the balance)."""
        if self.status != "paid":
            return 0
        return self.provider_amount - self.provider_refunded_amount

    @property
    def balance_refunded_amount(self) -> int:
        return sum(refund.amount for refund in self.refunds if refund.to_balance)

    @property
    def state(self) -> str:
        """The status as people read it: a paid payment refunded in full reads refunded."""
        if self.status == "paid" and self.refunded_amount:
            return "refunded" if self.refunded_amount >= self.amount else "partially_refunded"
        return self.status


class Refund(db.Model):
    """Money returned for a payment: an append-only ledger row."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        UniqueConstraint("provider_refund_id", name="uq_refunds_provider_refund_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount: Mapped[int] = mapped_column()
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    # Returned to the member's balance rather than through the provider.
    to_balance: Mapped[bool] = mapped_column(default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="refunds")
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Refund {self.id} payment={self.payment_id} {self.amount}>"


class PaymentEvent(db.Model):
    """Every provider event received, stored before it is handled, with how handling went."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_payment_events_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(255), default="", index=True)
    # When the provider created the event; orders events for the same object.
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # received, processed, ignored, flagged, failed.
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=0)
    payload: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<PaymentEvent {self.event_id} {self.type} {self.status}>"


class BillingProfile(db.Model):
    """A user's standing with the provider: customer, subscription and auto-renew state."""

    __tablename__ = "billing_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    subscription_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    # active, past_due, canceled; as the provider last reported it.
    subscription_status: Mapped[str] = mapped_column(String(32), default="")
    auto_renew: Mapped[bool] = mapped_column(default=False)
    # Creation time of the newest subscription event applied: older ones are stale.
    subscription_watermark: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A lower tier the member chose for their next renewal.
    next_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    subscription_tier: Mapped[Tier | None] = relationship(foreign_keys=[subscription_tier_id])
    next_tier: Mapped[Tier | None] = relationship(foreign_keys=[next_tier_id])

    def __repr__(self) -> str:
        return f"<BillingProfile user={self.user_id} auto_renew={self.auto_renew}>"


class ReminderSent(db.Model):
    """One renewal reminder sent; unique per user, end date and days before, so it goes once."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("user_id", "ends_at", "days_before", name="uq_reminders_sent_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    days_before: Mapped[int] = mapped_column()
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReminderSent user={self.user_id} {self.days_before}d>"


class BillingSettings(db.Model):
    """Operator-set billing rules; one row."""

    __tablename__ = "billing_settings"
    __table_args__ = (
        CheckConstraint("renewal_discount_percent BETWEEN 0 AND 100", name="discount_percent"),
        CheckConstraint("grace_days >= 0", name="grace_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    renewal_discount_percent: Mapped[int] = mapped_column(default=0)
    grace_days: Mapped[int] = mapped_column(default=7)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return (
            f"<BillingSettings discount={self.renewal_discount_percent}% grace={self.grace_days}>"
        )
