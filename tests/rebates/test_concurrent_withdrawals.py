"""Withdrawal requests at the same moment cannot together exceed the balance: real threads
against a real server, on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

from sqlalchemy import func, select

from community.affiliate.services import sub_id_of
from community.clock import utcnow
from community.extensions import db
from community.rebates import ledger
from community.rebates.models import Withdrawal
from tests.billing.test_concurrent_requests import all_at_once, signed_in
from tests.rebates import reports
from tests.rebates.conftest import days_later

TIMES = 6


def test_simultaneous_withdrawals_never_exceed_the_withdrawable_balance(
    live_server, generic_import, member
):
    generic_import(
        [
            reports.generic_row(
                "CC1",
                sub_id_of(member),
                "settled",
                commission="100.00",
                settled_at=days_later(-30).isoformat(),
            )
        ]
    )
    assert ledger.balances(member.id, utcnow()).withdrawable == 5000
    session, token = signed_in(live_server, member)
    form = {
        "csrf_token": token,
        "amount": "30.00",
        "method": "alipay",
        "account": "member@example.com",
        "account_name": "李明",
        "confirm": "yes",
    }
    url = f"{live_server}/rebates/withdraw"

    codes = all_at_once(lambda: session.post(url, data=form, allow_redirects=False), TIMES)

    # ¥30 fits once into ¥50: one request is frozen, the others are refused calmly.
    assert sorted(codes) == [302] + [400] * (TIMES - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Withdrawal.id))) == 1
    now = ledger.balances(member.id, utcnow())
    assert (now.withdrawable, now.frozen) == (2000, 3000)
