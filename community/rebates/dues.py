"""Where rebates meet membership payments: dues paid from the withdrawable balance (the
balance billing asks through its hook), and an inviter's share voided when the buyer refunds
their first membership payment within its refund window.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from community.billing.balance import register_dues_balance
from community.billing.refunds import refund_recorded
from community.errors import ValidationFailed
from community.extensions import db
from community.membership.periods import lock_member
from community.rebates import ledger
from community.rebates.matching import credit_order, lock_rebates
from community.rebates.models import RebateOrder
from community.rebates.settings import rebate_settings
from community.rebates.split import REFUND_WINDOW, first_payment_at
from community.templating import money


class RebateDues:
    """The member's withdrawable rebates, spendable on dues (billing's DuesBalance)."""

    def spendable(self, user_id: int, moment: datetime) -> int:
        return max(ledger.balances(user_id, moment).withdrawable, 0)

    def hold(self, payment, moment: datetime) -> None:
        lock_member(payment.user_id)
        withdrawable = ledger.balances(payment.user_id, moment).withdrawable
        if payment.balance_amount > withdrawable:
            raise ValidationFailed(
                [
                    (
                        "balance",
                        _(
                            "You can pay at most %(amount)s from your balance now.",
                            amount=money(max(withdrawable, 0)),
                        ),
                    )
                ]
            )
        ledger.write(ledger.payment_differences(payment, moment))

    def follow(self, payment, moment: datetime) -> None:
        lock_member(payment.user_id)
        ledger.write(ledger.payment_differences(payment, moment))


def void_referrals(payment, refund=None, moment: datetime | None = None) -> None:
    """A first membership payment refunded in full within its window voids the inviter's
    share of the buyer's orders placed in that window (it was waiting for exactly this)."""
    if payment.paid_at is None or payment.refunded_amount < payment.amount:
        return
    closes = payment.paid_at + REFUND_WINDOW
    if moment is None or moment >= closes or first_payment_at(payment.user_id) != payment.paid_at:
        return
    orders = list(
        db.session.scalars(
            select(RebateOrder).where(
                RebateOrder.user_id == payment.user_id,
                RebateOrder.inviter_id.is_not(None),
                RebateOrder.referral_void_at.is_(None),
                RebateOrder.referral_wait_until == closes,
            )
        )
    )
    if not orders:
        return
    lock_rebates()
    holding_days = rebate_settings().holding_days
    for order in orders:
        db.session.refresh(order)
        if order.referral_void_at is not None:
            continue
        order.referral_void_at = moment
        db.session.flush()
        credit_order(order, moment, holding_days, reason=f"payment #{payment.id} refunded")


def init_app(app: Flask) -> None:
    register_dues_balance(app, RebateDues())
    refund_recorded.connect(void_referrals)
