"""An order's life in the ledger: credited pending, confirmed at settlement, withdrawable after
the holding days, clawed back after a refund; re-imports change nothing; shares round down."""

from __future__ import annotations

from sqlalchemy import func, select

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import ledger
from community.rebates.models import LedgerEntry
from community.rebates.split import Split, rebate_split
from tests.rebates import reports
from tests.rebates.conftest import days_later


def entry_count() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def test_an_order_goes_pending_then_confirmed_then_withdrawable(generic_import, inviter_and_buyer):
    inviter, buyer = inviter_and_buyer
    sub = sub_id_of(buyer)
    run = generic_import([reports.generic_row("A1001", sub, commission="10.01")])
    assert (run.status, run.new_lines, run.unmatched) == ("done", 1, 0)
    # member tier: 50% of 1001 fen = 500 (rounded down); pro inviter: 10% = 100.
    assert ledger.balances(buyer.id, utcnow()).pending == 500
    assert ledger.balances(inviter.id, utcnow()).pending == 100

    settled = generic_import(
        [
            reports.generic_row(
                "A1001", sub, "settled", commission="10.01", settled_at=utcnow().isoformat()
            )
        ]
    )
    assert (settled.changed, settled.new_lines) == (1, 0)
    now = ledger.balances(buyer.id, utcnow())
    assert (now.pending, now.confirmed, now.withdrawable) == (0, 500, 0)
    later = ledger.balances(buyer.id, days_later(16))
    assert later.withdrawable == 500
    assert ledger.balances(inviter.id, days_later(16)).withdrawable == 100


def test_reimporting_the_same_report_writes_nothing(generic_import, inviter_and_buyer):
    _inviter, buyer = inviter_and_buyer
    rows = [reports.generic_row(f"B{n}", sub_id_of(buyer), commission="3.33") for n in range(5)]
    generic_import(rows)
    before = entry_count()
    again = generic_import(rows)
    assert (again.new_lines, again.changed, again.unchanged) == (0, 0, 5)
    assert entry_count() == before


def test_a_refund_after_settlement_claws_back_both_levels(generic_import, inviter_and_buyer):
    inviter, buyer = inviter_and_buyer
    sub = sub_id_of(buyer)
    settled_long_ago = days_later(-30)
    generic_import(
        [
            reports.generic_row(
                "C1", sub, "settled", commission="100.00", settled_at=settled_long_ago.isoformat()
            )
        ]
    )
    assert ledger.balances(buyer.id, utcnow()).withdrawable == 5000
    assert ledger.balances(inviter.id, utcnow()).withdrawable == 1000
    generic_import([reports.generic_row("C1", sub, "refunded", commission="100.00")])
    assert ledger.balances(buyer.id, utcnow()).withdrawable == 0
    assert ledger.balances(inviter.id, utcnow()).withdrawable == 0
    negatives = db.session.scalars(select(LedgerEntry).where(LedgerEntry.amount < 0)).all()
    assert sorted((e.kind, e.amount, e.state) for e in negatives) == [
        ("rebate", -5000, "confirmed"),
        ("referral", -1000, "confirmed"),
    ]


def test_the_split_rounds_each_share_down_and_the_platform_keeps_the_rest():
    assert rebate_split(999, 70, 10) == Split(699, 99, 201)
    assert rebate_split(1, 50, 10) == Split(0, 0, 1)
    # A referral share that would pass the commission is cut to what is left.
    assert rebate_split(1000, 70, 40) == Split(700, 300, 0)
