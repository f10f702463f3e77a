"""The referral share: only to an inviter who is a paying (or comped) member when the order is
first imported, two levels at most, fixed at first credit, and waiting out the buyer's refund
window when the order came within 72 hours of their first membership payment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.affiliate.services import sub_id_of
from community.billing import purchases, refunds
from community.clock import utcnow
from community.extensions import db
from community.membership.tiers import tier_by_slug
from community.rebates import ledger
from community.rebates.models import RebateOrder
from tests.rebates import reports
from tests.rebates.conftest import days_later


def test_an_inviter_who_is_not_a_paying_member_gets_nothing(generic_import, make_user):
    lapsed = make_user(email="lapsed@example.com")
    buyer = make_user(tier="member", inviter=lapsed)
    generic_import([reports.generic_row("R1", sub_id_of(buyer), commission="10.00")])
    assert ledger.balances(lapsed.id, utcnow()).pending == 0
    assert ledger.balances(buyer.id, utcnow()).pending == 500


def test_the_inviters_inviter_gets_nothing(generic_import, make_user):
    top = make_user(tier="pro")
    middle = make_user(tier="member", inviter=top)
    buyer = make_user(tier="member", inviter=middle)
    generic_import([reports.generic_row("R2", sub_id_of(buyer), commission="10.00")])
    assert ledger.balances(middle.id, utcnow()).pending == 100
    assert ledger.balances(top.id, utcnow()).pending == 0


def test_shares_are_fixed_when_first_credited(generic_import, inviter_and_buyer, operator):
    from community.rebates.settings import update_rebate_settings

    inviter, buyer = inviter_and_buyer
    generic_import([reports.generic_row("R3", sub_id_of(buyer), commission="10.00")])
    update_rebate_settings(operator, 30, 15, 1000)
    db.session.commit()
    generic_import(
        [
            reports.generic_row(
                "R3",
                sub_id_of(buyer),
                "settled",
                commission="10.00",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    assert ledger.balances(inviter.id, utcnow()).withdrawable == 100


def paid_first_membership(user):
    moment = utcnow()
    offer = purchases.quote(user, tier_by_slug("member"), moment)
    payment = purchases.start_purchase(
        user, "member", offer.kind, offer.amount, "pass", "offline", moment
    )
    purchases.fulfil_payment(payment, payment.amount, "CNY", moment)
    db.session.commit()
    return payment


def test_a_referral_within_72_hours_of_the_first_payment_waits_for_the_window(
    generic_import, make_user
):
    inviter = make_user(tier="pro")
    buyer = make_user(inviter=inviter)
    payment = paid_first_membership(buyer)
    generic_import(
        [
            reports.generic_row(
                "R4",
                sub_id_of(buyer),
                "settled",
                commission="10.00",
                paid_at=utcnow().isoformat(),
                settled_at=days_later(-20).isoformat(),
            )
        ]
    )
    order = db.session.scalar(select(RebateOrder))
    assert order.referral_wait_until == payment.paid_at + timedelta(hours=72)
    now = ledger.balances(inviter.id, utcnow())
    assert (now.pending, now.confirmed, now.withdrawable) == (100, 0, 0)
    after = ledger.balances(inviter.id, days_later(4))
    assert (after.pending, after.confirmed, after.withdrawable) == (0, 100, 100)
    # The buyer's own share does not wait.
    assert ledger.balances(buyer.id, utcnow()).withdrawable == 500


def test_refunding_that_first_payment_in_the_window_voids_the_waiting_referral(
    generic_import, make_user
):
    inviter = make_user(tier="pro")
    buyer = make_user(inviter=inviter)
    payment = paid_first_membership(buyer)
    generic_import(
        [
            reports.generic_row(
                "R5", sub_id_of(buyer), commission="10.00", paid_at=utcnow().isoformat()
            )
        ]
    )
    assert ledger.balances(inviter.id, utcnow()).pending == 100
    refunds.refund_through_provider(payment, payment.amount, utcnow(), actor=buyer)
    db.session.commit()
    assert ledger.balances(inviter.id, days_later(30)).owed == 0
    generic_import(
        [
            reports.generic_row(
                "R5",
                sub_id_of(buyer),
                "settled",
                commission="10.00",
                paid_at=utcnow().isoformat(),
                settled_at=days_later(-20).isoformat(),
            )
        ]
    )
    assert ledger.balances(inviter.id, days_later(30)).owed == 0
    assert ledger.balances(buyer.id, days_later(30)).withdrawable == 500
