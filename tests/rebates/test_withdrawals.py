"""Withdrawals: up to the withdrawable balance and at least the minimum, frozen at once; an
operator approves and pays (with a reference) or rejects (the amount returns), each once."""

from __future__ import annotations

import csv
import io

import pytest

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.rebates import ledger, withdrawals
from tests.rebates import reports
from tests.rebates.conftest import days_later


@pytest.fixture
def earned(generic_import, member):
    """The member has ¥50 withdrawable (a ¥100 commission settled a month ago)."""
    generic_import(
        [
            reports.generic_row(
                "W1",
                sub_id_of(member),
                "settled",
                commission="100.00",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    assert ledger.balances(member.id, utcnow()).withdrawable == 5000
    return member


def ask(member, amount):
    return withdrawals.request_withdrawal(
        member, amount, "alipay", "member@example.com", "李明", utcnow()
    )


def test_a_request_freezes_the_amount_and_paying_it_moves_it_to_paid(earned, operator):
    item = ask(earned, 3000)
    db.session.commit()
    now = ledger.balances(earned.id, utcnow())
    assert (now.withdrawable, now.frozen, now.paid) == (2000, 3000, 0)
    withdrawals.approve(operator, item, utcnow())
    withdrawals.mark_paid(operator, item, "支付宝转账 2026120612345", utcnow())
    db.session.commit()
    now = ledger.balances(earned.id, utcnow())
    assert (now.withdrawable, now.frozen, now.paid) == (2000, 0, 3000)
    assert item.status == "paid" and item.payout_reference == "支付宝转账 2026120612345"


def test_a_rejected_withdrawal_returns_the_amount(earned, operator):
    item = ask(earned, 5000)
    withdrawals.reject(operator, item, "账户名与实名不符", utcnow())
    db.session.commit()
    now = ledger.balances(earned.id, utcnow())
    assert (now.withdrawable, now.frozen) == (5000, 0)
    with pytest.raises(ValidationFailed):
        withdrawals.mark_paid(operator, item, "x", utcnow())


@pytest.mark.parametrize("amount", [None, 0, 999, 5001])
def test_amounts_below_the_minimum_or_above_the_balance_are_refused(earned, amount):
    with pytest.raises(ValidationFailed) as refused:
        ask(earned, amount)
    assert refused.value.errors[0][0] == "amount"


def test_payee_details_are_required(earned):
    with pytest.raises(ValidationFailed) as refused:
        withdrawals.request_withdrawal(earned, 1000, "paypal", "", "", utcnow())
    assert {field for field, _ in refused.value.errors} == {"method", "account", "account_name"}


def test_each_operator_step_happens_once_and_only_for_operators(earned, operator, mallory):
    item = ask(earned, 2000)
    with pytest.raises(NotAllowed):
        withdrawals.approve(mallory, item, utcnow())
    withdrawals.approve(operator, item, utcnow())
    with pytest.raises(ValidationFailed):
        withdrawals.approve(operator, item, utcnow())
    withdrawals.mark_paid(operator, item, "ref-1", utcnow())
    with pytest.raises(ValidationFailed):
        withdrawals.mark_paid(operator, item, "ref-2", utcnow())
    assert ledger.balances(earned.id, utcnow()).paid == 2000


def test_a_negative_withdrawable_balance_blocks_withdrawals(generic_import, earned):
    item = ask(earned, 5000)
    assert item.amount == 5000
    generic_import([reports.generic_row("W1", sub_id_of(earned), "refunded", commission="100.00")])
    assert ledger.balances(earned.id, utcnow()).withdrawable == -5000
    with pytest.raises(ValidationFailed):
        ask(earned, 1000)
    # Later credits are netted against it first.
    generic_import(
        [
            reports.generic_row(
                "W2",
                sub_id_of(earned),
                "settled",
                commission="120.00",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    assert ledger.balances(earned.id, utcnow()).withdrawable == 1000


def test_the_payout_csv_is_utf8_with_a_bom_and_quotes_formulas(earned, operator):
    earned.name = "李明"
    item = withdrawals.request_withdrawal(earned, 1234, "alipay", "=HYPERLINK(1)", "李明", utcnow())
    withdrawals.approve(operator, item, utcnow())
    data = withdrawals.payout_csv([item])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[1][4] == "李明" and rows[1][5] == "12.34"


def test_a_request_checked_at_an_earlier_moment_still_sees_what_was_frozen(earned):
    """Two requests at once: the second takes its moment before it waits for the first's lock
    (or on a host whose clock runs behind). What the first froze must count against it."""
    from datetime import timedelta

    later, earlier = utcnow(), utcnow() - timedelta(milliseconds=50)
    withdrawals.request_withdrawal(earned, 3000, "alipay", "a@example.com", "李明", later)
    db.session.commit()
    assert ledger.balances(earned.id, earlier).withdrawable == 2000
    with pytest.raises(ValidationFailed):
        withdrawals.request_withdrawal(earned, 3000, "alipay", "a@example.com", "李明", earlier)


def test_dues_held_at_one_moment_count_at_any_earlier_one(earned):
    from datetime import timedelta

    from community.billing import purchases
    from community.membership.tiers import tier_by_slug
    from community.rebates.dues import RebateDues

    later, earlier = utcnow(), utcnow() - timedelta(milliseconds=50)
    offer = purchases.quote(earned, tier_by_slug("pro"), later)
    payment = purchases.start_purchase(
        earned, "pro", offer.kind, offer.amount, "pass", "offline", later
    )
    payment.balance_amount = 4000
    RebateDues().hold(payment, later)
    db.session.commit()
    assert ledger.balances(earned.id, earlier).withdrawable == 1000
