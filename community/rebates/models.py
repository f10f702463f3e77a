"""Rebate rows: imported orders and their lines, the append-only ledger, withdrawals, claims,
import runs and the operator-set settings.

An order line mirrors what the network last reported (status, amounts); money is only ever in
`rebate_ledger`, one signed row per movement, never updated.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db

NETWORKS = ("taobao", "jd", "pdd", "generic")
# What a line's status means for its shares: pending until settled, nothing once invalid.
PAID, RECEIVED, SETTLED, INVALID, REFUNDED = "paid", "received", "settled", "invalid", "refunded"
LINE_STATUSES = (PAID, RECEIVED, SETTLED, INVALID, REFUNDED)
KINDS = ("rebate", "referral", "withdrawal", "dues", "adjustment")
PENDING, CONFIRMED, FROZEN, PAID_OUT = "pending", "confirmed", "frozen", "paid"
STATES = (PENDING, CONFIRMED, FROZEN, PAID_OUT)


class RebateSettings(db.Model):
    """Operator-set rebate rules; one row."""

    __tablename__ = "rebate_settings"
    __table_args__ = (
        CheckConstraint("referral_share BETWEEN 0 AND 100", name="referral_share_percent"),
        CheckConstraint("holding_days BETWEEN 0 AND 365", name="holding_days_range"),
        CheckConstraint("minimum_withdrawal >= 1", name="minimum_withdrawal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Percent of a commission the buyer's inviter gets.
    referral_share: Mapped[int] = mapped_column(default=10)
    # Days after settlement before a confirmed credit can be withdrawn.
    holding_days: Mapped[int] = mapped_column(default=15)
    # Fen.
    minimum_withdrawal: Mapped[int] = mapped_column(default=1000)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<RebateSettings referral={self.referral_share}% hold={self.holding_days}d>"


class ReportImport(db.Model):
    """One file imported (or refused), with its per-file result."""

    __tablename__ = "rebate_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # done, partial (good rows written, refused ones listed) or refused (nothing written).
    status: Mapped[str] = mapped_column(String(16), default="done")
    rows_read: Mapped[int] = mapped_column(default=0)
    new_lines: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    # JSON list of [line, reason] for the first refused lines.
    refusals: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportImport {self.id} {self.network} {self.status}>"


class RebateOrder(db.Model):
    """An order at a network, and the member it was matched to with the shares fixed then."""

    __tablename__ = "rebate_orders"
    __table_args__ = (
        UniqueConstraint("network", "order_no", name="uq_rebate_orders_network_order"),
        CheckConstraint("buyer_share BETWEEN 0 AND 100", name="buyer_share_percent"),
        CheckConstraint("referral_share BETWEEN 0 AND 100", name="referral_share_percent"),
        CheckConstraint("buyer_share + referral_share <= 100", name="shares_within_commission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(16))
    order_no: Mapped[str] = mapped_column(String(64))
    # The identifiers the report carried ("adzone_id=123"), shown to operators who assign it.
    tracking: Mapped[str] = mapped_column(String(255), default="")
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set once, when the order is matched (by import, an operator, or a confirmed claim).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(16))
    matched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buyer_share: Mapped[int] = mapped_column(default=0)
    inviter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    referral_share: Mapped[int] = mapped_column(default=0)
    # The inviter's share waits (stays pending) until the buyer's refund window closes.
    referral_wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The buyer refunded that first payment within the window: the inviter's share is void.
    referral_void_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    inviter: Mapped[User | None] = relationship(foreign_keys=[inviter_id])
    lines: Mapped[list[RebateOrderLine]] = relationship(
        back_populates="order", order_by="RebateOrderLine.id"
    )

    def __repr__(self) -> str:
        return f"<RebateOrder {self.network} {self.order_no} user={self.user_id}>"


class RebateOrderLine(db.Model):
    """One line (sub-order, sku) of an order as the network last reported it."""

    __tablename__ = "rebate_order_lines"
    __table_args__ = (
        UniqueConstraint("network", "line_key", name="uq_rebate_order_lines_network_key"),
        CheckConstraint("commission >= 0", name="commission_not_negative"),
        CheckConstraint("paid_amount >= 0", name="paid_amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rebate_orders.id"), index=True)
    network: Mapped[str] = mapped_column(String(16))
    line_key: Mapped[str] = mapped_column(String(128))
    item: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16))
    network_status: Mapped[str] = mapped_column(String(32), default="")
    paid_amount: Mapped[int] = mapped_column(default=0)
    commission: Mapped[int] = mapped_column(default=0)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_imports.id"))

    order: Mapped[RebateOrder] = relationship(back_populates="lines")

    def __repr__(self) -> str:
        return f"<RebateOrderLine {self.network} {self.line_key} {self.status}>"


class LedgerEntry(db.Model):
    """One signed movement of a member's money between states. Never updated or deleted.

    A confirmed entry counts as pending while `pending_until` is ahead, and as withdrawable
    from `available_at` on; balances are sums over these rows.
    """

    __tablename__ = "rebate_ledger"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint(
            "kind IN ('rebate', 'referral', 'withdrawal', 'dues', 'adjustment')", name="kind_known"
        ),
        CheckConstraint("state IN ('pending', 'confirmed', 'frozen', 'paid')", name="state_known"),
        Index("ix_rebate_ledger_user_state", "user_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_orders.id"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_order_lines.id"), index=True)
    withdrawal_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_withdrawals.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pending_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("rebate_imports.id"))

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} user={self.user_id} {self.kind} {self.amount} {self.state}>"


class Withdrawal(db.Model):
    """A member's request to be paid part of their balance, and what operators did with it."""

    __tablename__ = "rebate_withdrawals"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[int] = mapped_column()
    # requested, approved, paid, rejected.
    status: Mapped[str] = mapped_column(String(16), default="requested", index=True)
    method: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(100))
    account_name: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payout_reference: Mapped[str] = mapped_column(String(100), default="")
    reject_reason: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Withdrawal {self.id} user={self.user_id} {self.amount} {self.status}>"


class OrderClaim(db.Model):
    """A member says an unmatched order is theirs; an operator confirms or rejects it."""

    __tablename__ = "rebate_claims"
    __table_args__ = (UniqueConstraint("order_id", "user_id", name="uq_rebate_claims_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("rebate_orders.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # open, accepted, rejected.
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    order: Mapped[RebateOrder] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<OrderClaim {self.id} order={self.order_id} user={self.user_id} {self.status}>"
