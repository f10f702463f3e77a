"""Refunds: a member's own within 72 hours of a first payment, operators' full or partial.

A refund is a ledger row; the payment's periods follow the refunded total: a full refund
revokes them, a partial one shortens the period in proportion to what was kept (rounded
down to the second, so no unpaid time is granted).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from community.billing import periods
from community.billing.models import MembershipPeriod, Payment, Refund
from community.billing.purchases import PAID, lock_user
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.templating import money

MEMBER_REFUND_WINDOW = timedelta(hours=72)


def is_first_payment(payment: Payment) -> bool:
    earlier = db.session.scalar(
        select(Payment.id)
        .where(
            Payment.user_id == payment.user_id,
            Payment.id != payment.id,
            Payment.paid_at.is_not(None),
            Payment.paid_at <= payment.paid_at,
        )
        .limit(1)
    )
    return earlier is None


def member_refund_refusal(user, payment: Payment, moment: datetime) -> str | None:
    """Why `user` may not refund `payment` themself, or None when they may."""
    if payment.status != PAID or payment.refunded_amount:
        return _("This payment cannot be refunded: it is not paid or was already refunded.")
    if not is_first_payment(payment):
        return _("Only a first payment can be refunded online. Please contact us.")
    if moment - payment.paid_at > MEMBER_REFUND_WINDOW:
        return _("Refunds are possible within 72 hours of a first payment; that time has passed.")
    return None


def check_member_refund(user, payment: Payment, moment: datetime) -> None:
    if payment.user_id != user.id:
        raise NotAllowed(_("This payment belongs to someone else."))
    refusal = member_refund_refusal(user, payment, moment)
    if refusal:
        raise ValidationFailed([(None, refusal)])


def check_refund_amount(payment: Payment, amount: int | None) -> None:
    if payment.status != PAID:
        raise ValidationFailed([("amount", _("Only a paid payment can be refunded."))])
    if amount is None or amount <= 0:
        raise ValidationFailed([("amount", _("Enter an amount greater than zero."))])
    if amount > payment.refundable_amount:
        raise ValidationFailed(
            [("amount", _("At most %(amount)s can still be refunded.", amount=money_text(payment)))]
        )


def money_text(payment: Payment) -> str:
    return money(payment.refundable_amount, payment.currency)


def refund_through_provider(
    payment: Payment, amount: int | None, moment: datetime, *, actor=None, reason: str = ""
) -> Refund:
    """Refund through the payment's provider, then record it (unless its webhook already did)."""
    from community.billing.providers import provider_named

    # Lock before asking the provider, so two clicks cannot refund the same money twice.
    lock_user(payment.user_id)
    db.session.refresh(payment, attribute_names=["status", "refunds"])
    check_refund_amount(payment, amount)
    provider_refund_id = provider_named(payment.provider).refund(payment, amount)
    existing = db.session.scalar(
        select(Refund).where(Refund.provider_refund_id == provider_refund_id)
    )
    if existing is not None:
        return existing
    return record_refund(
        payment,
        amount,
        moment,
        actor=actor,
        reason=reason,
        provider_refund_id=provider_refund_id,
    )


def record_refund(
    payment: Payment,
    amount: int,
    moment: datetime,
    *,
    actor=None,
    reason: str = "",
    provider_refund_id: str | None = None,
) -> Refund:
    """Add the refund to the ledger and cut the payment's periods to what is still paid."""
    lock_user(payment.user_id)
    db.session.refresh(payment, attribute_names=["status", "refunds"])
    check_refund_amount(payment, amount)
    refund = Refund(
        amount=amount,
        provider_refund_id=provider_refund_id,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        created_at=moment,
    )
    payment.refunds.append(refund)
    db.session.flush()
    follow_refunds(payment, moment, actor=actor, reason=reason)
    return refund


def follow_refunds(payment: Payment, moment: datetime, *, actor=None, reason: str = "") -> None:
    """Make the payment's live periods match its unrefunded share of the original period."""
    bought = list(
        db.session.scalars(
            select(MembershipPeriod)
            .where(MembershipPeriod.payment_id == payment.id)
            .order_by(MembershipPeriod.id)
        )
    )
    if not bought:
        periods.record_change(
            payment.user_id, "refund", moment, actor=actor, reason=reason, payment=payment
        )
        return
    original = bought[0]
    kept = payment.amount - payment.refunded_amount
    new_end = original.starts_at + (original.ends_at - original.starts_at) * kept // payment.amount
    for period in bought:
        if period.revoked_at is not None or period.ends_at == new_end:
            continue
        replacement = periods.cut_period(period, new_end, moment)
        periods.record_change(
            payment.user_id,
            "refund",
            moment,
            actor=actor,
            reason=reason,
            payment=payment,
            period=replacement or period,
        )
