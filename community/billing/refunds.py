"""Refunds: a member's own within 72 hours of a first payment, operators' full or partial.

A refund is a ledger row; the payment's periods follow the refunded total: a full refund
revokes them, a partial one shortens the period in proportion to what was kept (rounded
down to the second, so no unpaid time is granted).

An upgrade is priced as the difference to the lower tier's time it stands on, so it depends
on the payments that bought that time. Refunding such a payment in full here refunds the
upgrades that depend on it in full too; a partial refund of it is refused while they do. A
refund made at the provider directly (its webhook) cuts the dependent upgrade periods to the
time still paid for (`periods.cut_unbacked_upgrades`).

A payment made partly from the member's balance is refunded through the provider first, up to
what the provider took; the rest returns to the balance (a refund row marked `to_balance`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select

from community.billing import balance as dues_balance
from community.billing.models import Payment, Refund
from community.billing.purchases import PAID
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership import periods
from community.membership.models import MembershipPeriod, PeriodSource
from community.templating import money

MEMBER_REFUND_WINDOW = timedelta(hours=72)
# Sent inside the refund's transaction (sender: the payment; refund=, moment=), for domains
# above billing whose money depends on a membership payment standing.
refund_recorded = Namespace().signal("refund-recorded")


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


def dependent_upgrades(payment: Payment, moment: datetime) -> list[Payment]:
    """Paid upgrades, not yet refunded, whose time stands on time `payment` bought; highest
    tier first."""
    live = periods.live_periods(payment.user_id, moment)
    bought = [p for p in live if p.payment_id == payment.id]
    upgrade_ids = {
        upgrade.payment_id
        for upgrade in live
        if upgrade.source == PeriodSource.UPGRADE
        and upgrade.payment_id != payment.id
        and any(
            base.tier.rank < upgrade.tier.rank
            and base.starts_at < upgrade.ends_at
            and upgrade.starts_at < base.ends_at
            for base in bought
        )
    }
    if not upgrade_ids:
        return []
    found = db.session.scalars(select(Payment).where(Payment.id.in_(upgrade_ids))).all()
    return sorted(
        (upgrade for upgrade in found if upgrade.refundable_amount > 0),
        key=lambda upgrade: (-upgrade.tier.rank, -upgrade.id),
    )


def check_refund(payment: Payment, amount: int | None, moment: datetime) -> list[Payment]:
    """Refuse a refund of `amount` that cannot be made; otherwise the upgrades refunded in full
    with it (what a confirmation page lists and the refund then does)."""
    check_refund_amount(payment, amount)
    dependents = dependent_upgrades(payment, moment)
    if dependents and amount < payment.refundable_amount:
        raise ValidationFailed(
            [
                (
                    "amount",
                    _(
                        "An upgrade bought later (%(upgrades)s) was priced against this "
                        "payment. Refund this payment in full, which refunds the upgrade too, "
                        "or refund the upgrade first.",
                        upgrades=", ".join(f"#{upgrade.id}" for upgrade in dependents),
                    ),
                )
            ]
        )
    return dependents


def refund_through_provider(
    payment: Payment, amount: int | None, moment: datetime, *, actor=None, reason: str = ""
) -> list[Refund]:
    """Refund `amount` of `payment` through its provider, and in full every upgrade that
    depends on it; record each (unless its webhook already did). Returns the refunds made,
    this payment's last."""
    # Lock before asking the provider, so two clicks cannot refund the same money twice.
    periods.lock_member(payment.user_id)
    db.session.refresh(payment, attribute_names=["status", "refunds"])
    dependents = check_refund(payment, amount, moment)
    made = [
        refund_one(
            upgrade,
            upgrade.refundable_amount,
            moment,
            actor=actor,
            reason=f"refunded with payment #{payment.id}",
        )
        for upgrade in dependents
    ]
    made.append(refund_one(payment, amount, moment, actor=actor, reason=reason))
    return made


def refund_one(
    payment: Payment, amount: int, moment: datetime, *, actor=None, reason: str = ""
) -> Refund:
    """Refund through the payment's provider, then record it (unless its webhook already did);
    past what the provider took, the rest returns to the member's balance."""
    to_provider = min(amount, payment.provider_refundable_amount)
    if to_provider < amount:
        if to_provider:
            refund_at_provider(payment, to_provider, moment, actor=actor, reason=reason)
        return record_refund(
            payment, amount - to_provider, moment, actor=actor, reason=reason, to_balance=True
        )
    return refund_at_provider(payment, amount, moment, actor=actor, reason=reason)


def refund_at_provider(
    payment: Payment, amount: int, moment: datetime, *, actor=None, reason: str = ""
) -> Refund:
    from community.billing.providers import provider_named

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
    to_balance: bool = False,
) -> Refund:
    """Add the refund to the ledger and cut the payment's periods to what is still paid."""
    periods.lock_member(payment.user_id)
    db.session.refresh(payment, attribute_names=["status", "refunds"])
    check_refund_amount(payment, amount)
    refund = Refund(
        amount=amount,
        provider_refund_id=provider_refund_id,
        to_balance=to_balance,
        actor_id=actor.id if actor is not None else None,
        reason=reason,
        created_at=moment,
    )
    payment.refunds.append(refund)
    db.session.flush()
    dues_balance.follow(payment, moment)
    follow_refunds(payment, moment, actor=actor, reason=reason)
    refund_recorded.send(payment, refund=refund, moment=moment)
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
        if period.revoked_at is not None or period.ends_at <= new_end:
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
    periods.cut_unbacked_upgrades(
        payment.user_id, moment, actor=actor, reason=reason, payment=payment
    )
