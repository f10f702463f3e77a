"""Dues paid from the withdrawable balance, all or part: one ledger, one receipt; a failed
payment gives the balance part back, and so does a refund of the payment."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.affiliate.services import sub_id_of
from community.billing import purchases, refunds
from community.billing.models import Payment
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership.entitlements import standing_at
from community.membership.tiers import tier_by_slug
from community.rebates import ledger
from tests.helpers import csrf_from
from tests.rebates import reports
from tests.rebates.conftest import days_later


@pytest.fixture
def saver(generic_import, make_user):
    """A pro member (invited by nobody, their time nearly over) with ¥250 withdrawable."""
    user = make_user(email="saver@example.com", tier="pro", days=3)
    generic_import(
        [
            reports.generic_row(
                "D1",
                sub_id_of(user),
                "settled",
                commission="357.15",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    assert ledger.balances(user.id, utcnow()).withdrawable == 25000
    return user


def quoted(user):
    offer = purchases.quote(user, tier_by_slug("member"), utcnow())
    db.session.commit()
    return offer


def buy(user, balance, slug="member"):
    moment = utcnow()
    offer = purchases.quote(user, tier_by_slug(slug), moment)
    return purchases.start_purchase(
        user, slug, offer.kind, offer.amount, "pass", "offline", moment, balance=balance
    )


def test_part_from_the_balance_is_held_then_spent_when_the_rest_is_paid(saver):
    payment = buy(saver, 5000)
    db.session.commit()
    held = ledger.balances(saver.id, utcnow())
    assert (held.withdrawable, held.frozen) == (20000, 5000)
    assert payment.provider_amount == payment.amount - 5000
    purchases.fulfil_payment(payment, payment.provider_amount, "CNY", utcnow())
    db.session.commit()
    spent = ledger.balances(saver.id, utcnow())
    assert (spent.withdrawable, spent.frozen, spent.paid) == (20000, 0, 5000)
    assert standing_at(saver, days_later(30)).tier.slug == "member"


def test_a_failed_payment_gives_the_balance_part_back(saver):
    payment = buy(saver, 5000)
    purchases.fail_payment(payment, "card declined")
    db.session.commit()
    now = ledger.balances(saver.id, utcnow())
    assert (now.withdrawable, now.frozen, now.paid) == (25000, 0, 0)


def test_the_provider_collecting_only_the_full_price_flags_the_payment(saver):
    payment = buy(saver, 5000)
    purchases.fulfil_payment(payment, payment.amount, "CNY", utcnow())
    assert payment.status == "flagged"
    assert ledger.balances(saver.id, utcnow()).withdrawable == 25000


def test_paying_more_from_the_balance_than_withdrawable_is_refused(saver):
    with pytest.raises(ValidationFailed):
        buy(saver, 25001, "pro")
    db.session.rollback()
    assert db.session.scalars(select(Payment)).all() == []


def test_a_refund_returns_the_provider_part_first_then_the_balance(saver, operator):
    payment = buy(saver, 5000)
    purchases.fulfil_payment(payment, payment.provider_amount, "CNY", utcnow())
    db.session.commit()
    first = refunds.refund_through_provider(
        payment, payment.provider_amount - 100, utcnow(), actor=operator
    )
    assert not first[-1].to_balance
    assert ledger.balances(saver.id, utcnow()).withdrawable == 20000
    made = refunds.refund_through_provider(payment, 1100, utcnow(), actor=operator)
    db.session.commit()
    assert made[-1].to_balance and made[-1].amount == 1000
    now = ledger.balances(saver.id, utcnow())
    assert (now.withdrawable, now.paid) == (21000, 4000)


def test_all_from_the_balance_through_checkout_with_a_confirmation(client, login, saver):
    login(client, saver)
    page = client.get("/billing/checkout?tier=member")
    text = page.get_data(as_text=True)
    assert 'name="balance"' in text
    offer = quoted(saver)
    price = offer.amount
    form = {
        "csrf_token": csrf_from(page),
        "tier": "member",
        "kind": offer.kind,
        "amount": str(price),
        "mode": "pass",
        "balance": f"{price / 100:.2f}",
    }
    confirm = client.post("/billing/checkout", data=form)
    assert confirm.status_code == 200, confirm.get_data(as_text=True)[-3000:]
    assert 'data-testid="rest">¥0<' in confirm.get_data(as_text=True)
    assert db.session.scalars(select(Payment)).all() == []
    done = client.post("/billing/checkout", data={**form, "confirm": "yes"})
    assert done.status_code == 302
    payment = db.session.scalars(select(Payment)).one()
    assert (payment.provider, payment.status, payment.balance_amount) == ("balance", "paid", price)
    receipt = client.get(f"/billing/payments/{payment.id}/receipt").get_data(as_text=True)
    assert f'data-testid="receipt-balance">¥{price // 100}.{price % 100:02d}<' in receipt
    assert ledger.balances(saver.id, utcnow()).withdrawable == 25000 - price
    # The member's own 72-hour refund returns it all to the balance.
    token = csrf_from(client.get("/billing"))
    assert (
        client.post(
            f"/billing/payments/{payment.id}/refund", data={"csrf_token": token}
        ).status_code
        == 302
    )
    assert ledger.balances(saver.id, utcnow()).withdrawable == 25000


@pytest.mark.parametrize("typed", ["abc", "-1", "1e3", "999999"])
def test_bad_balance_amounts_on_checkout_are_a_400(client, login, saver, typed):
    login(client, saver)
    page = client.get("/billing/checkout?tier=member")
    form = {
        "csrf_token": csrf_from(page),
        "tier": "member",
        "kind": quoted(saver).kind,
        "amount": str(quoted(saver).amount),
        "mode": "pass",
        "balance": typed,
    }
    for confirm in ("", "yes"):
        answer = client.post("/billing/checkout", data={**form, "confirm": confirm})
        assert answer.status_code == 400
    assert db.session.scalars(select(Payment)).all() == []
