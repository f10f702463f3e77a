"""The split of one commission, and the shares fixed for an order when it is first credited.

The buyer gets their tier's rebate share; their locked inviter, if an active member of a paid
tier when the order was first imported, gets the referral share; nobody further up gets
anything. Each share rounds down to the fen and the platform keeps the remainder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from community.accounts.models import User
from community.billing.models import Payment
from community.extensions import db
from community.membership.entitlements import standing_at

# A member may refund a first payment within 72 hours (billing's rule): an inviter's share of
# an order placed in that time waits until it has passed.
REFUND_WINDOW = timedelta(hours=72)


@dataclass(frozen=True)
class Split:
    buyer: int
    referral: int
    platform: int


@dataclass(frozen=True)
class Shares:
    """Who gets what percent of an order's commission, fixed when it is first credited."""

    buyer_share: int
    inviter_id: int | None
    referral_share: int
    referral_wait_until: datetime | None


def rebate_split(commission: int, buyer_share: int, referral_share: int) -> Split:
    """Split `commission` fen: each share rounds down; the platform keeps the rest (never < 0)."""
    referral_share = min(referral_share, 100 - buyer_share)
    buyer = commission * buyer_share // 100
    referral = commission * referral_share // 100
    return Split(buyer, referral, commission - buyer - referral)


@dataclass(frozen=True)
class Terms:
    """What a buyer's orders first imported at one moment get, before the order's own time."""

    buyer_share: int
    inviter_id: int | None
    referral_share: int
    first_paid_at: datetime | None

    def shares(self, placed_at: datetime | None) -> Shares:
        wait = None
        if self.inviter_id is not None:
            wait = referral_wait(self.first_paid_at, placed_at)
        return Shares(self.buyer_share, self.inviter_id, self.referral_share, wait)


def terms_for(buyer: User, seen_at: datetime, referral: int) -> Terms:
    """The shares of orders `buyer` placed, as they stood at `seen_at` (first imported)."""
    buyer_share = standing_at(buyer, seen_at).tier.rebate_share
    inviter = buyer.inviter
    if inviter is None or not standing_at(inviter, seen_at).tier.is_paid:
        return Terms(buyer_share, None, 0, None)
    return Terms(
        buyer_share, inviter.id, min(referral, 100 - buyer_share), first_payment_at(buyer.id)
    )


def first_payment_at(user_id: int) -> datetime | None:
    """When the user's first membership payment was paid."""
    return db.session.scalar(
        select(func.min(Payment.paid_at)).where(
            Payment.user_id == user_id, Payment.paid_at.is_not(None)
        )
    )


def referral_wait(first_paid_at: datetime | None, placed_at: datetime | None) -> datetime | None:
    """When the buyer's refund window closes, if the order was placed within it."""
    if first_paid_at is None or placed_at is None:
        return None
    closes = first_paid_at + REFUND_WINDOW
    return closes if first_paid_at <= placed_at < closes else None
