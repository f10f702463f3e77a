"""Property tests on the ledger: random orders, status sequences, re-imports, refunds,
withdrawals and dues payments. Whatever happens, per order line the credited shares never
exceed its commission (the platform's remainder is never negative), re-importing a report
writes nothing, balances equal the sums of the entries, no withdrawal passes what was
withdrawable when requested, and a chain of inviters of any length pays at most two levels."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from community.affiliate.services import sub_id_of
from community.billing import purchases
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership.tiers import tier_by_slug
from community.rebates import ledger, withdrawals
from community.rebates.importer import import_report
from community.rebates.models import LedgerEntry, RebateOrderLine
from tests.rebates import reports
from tests.rebates.conftest import days_later

_runs = itertools.count(1)
STATUSES = ["paid", "settled", "invalid", "refunded"]

reports_strategy = st.lists(
    st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from(STATUSES), st.integers(0, 100_000)),
        min_size=1,
        max_size=6,
    ),
    min_size=1,
    max_size=5,
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("withdraw"), st.integers(1, 20_000)),
        st.tuples(st.just("dues"), st.integers(1, 20_000)),
        st.tuples(st.just("reimport"), st.integers(0, 4)),
    ),
    max_size=6,
)


def import_rows(folder: Path, rows, run: int, step: int):
    path = reports.write_csv(folder / f"r{run}-{step}.csv", reports.GENERIC_HEADERS, rows)
    return import_report(path, "generic", utcnow())


def entry_count() -> int:
    return db.session.scalar(select(func.count(LedgerEntry.id)))


def sums_by_hand(user_id: int, moment) -> dict[str, int]:
    """The balances recomputed in Python from the member's entries."""
    totals = dict.fromkeys(("pending", "confirmed", "withdrawable", "frozen", "paid"), 0)
    for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.user_id == user_id)):
        waiting = entry.pending_until is not None and entry.pending_until > moment
        if entry.state == "pending" or (entry.state == "confirmed" and waiting):
            totals["pending"] += entry.amount
        elif entry.state == "confirmed":
            totals["confirmed"] += entry.amount
            if entry.available_at <= moment:
                totals["withdrawable"] += entry.amount
        else:
            totals[entry.state] += entry.amount
    return totals


def check_lines(run_prefix: str) -> None:
    lines = db.session.scalars(
        select(RebateOrderLine).where(RebateOrderLine.line_key.like(f"{run_prefix}%"))
    ).all()
    for line in lines:
        credited = db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.line_id == line.id,
                LedgerEntry.state.in_(("pending", "confirmed")),
            )
        )
        assert 0 <= credited <= line.commission
        assert line.commission - credited >= 0


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=reports_strategy, extra=actions, chain=st.integers(1, 5))
def test_the_ledger_keeps_its_invariants(app, make_user, operator, plan, extra, chain):
    run = next(_runs)
    prefix = f"P{run}X"
    people = [make_user(email=f"chain{run}-0@example.com", tier="pro")]
    for level in range(1, chain + 1):
        people.append(
            make_user(email=f"chain{run}-{level}@example.com", tier="member", inviter=people[-1])
        )
    buyer = people[-1]
    sub = sub_id_of(buyer)
    db.session.commit()
    with tempfile.TemporaryDirectory() as folder:
        history = []
        for step, report in enumerate(plan):
            rows = [
                reports.generic_row(
                    f"{prefix}{order}",
                    sub,
                    status,
                    commission=f"{fen // 100}.{fen % 100:02d}",
                    settled_at=days_later(-30).isoformat() if status == "settled" else "",
                )
                for order, status, fen in report
            ]
            history.append(rows)
            import_rows(Path(folder), rows, run, step)
            check_lines(prefix)
        for index, (action, value) in enumerate(extra):
            moment = utcnow()
            before = ledger.balances(buyer.id, moment)
            if action == "reimport":
                # Any earlier report may be read again (moving amounts, never a status back);
                # reading the same report a second time then writes nothing.
                rows = history[value % len(history)]
                import_rows(Path(folder), rows, run, 100 + index)
                history.append(rows)
                count = entry_count()
                import_rows(Path(folder), rows, run, 200 + index)
                assert entry_count() == count
            elif action == "withdraw":
                try:
                    withdrawals.request_withdrawal(buyer, value, "alipay", "acc", "名", moment)
                except ValidationFailed:
                    db.session.rollback()
                    assert value > before.withdrawable or value < 1000
                else:
                    assert 1000 <= value <= before.withdrawable
                    db.session.commit()
            else:
                offer = purchases.quote(buyer, tier_by_slug("member"), moment)
                try:
                    payment = purchases.start_purchase(
                        buyer,
                        "member",
                        offer.kind,
                        offer.amount,
                        "pass",
                        "offline",
                        moment,
                        balance=min(value, offer.amount),
                    )
                except ValidationFailed:
                    db.session.rollback()
                    assert min(value, offer.amount) > before.withdrawable
                else:
                    assert payment.balance_amount <= before.withdrawable
                    purchases.fulfil_payment(payment, payment.provider_amount, "CNY", moment)
                    db.session.commit()
            check_lines(prefix)
    moment = utcnow()
    for person in people:
        assert ledger.balances(person.id, moment).as_dict() == sums_by_hand(person.id, moment)
    # Two levels at most: only the buyer and their own inviter ever hold order credits.
    holders = set(
        db.session.scalars(
            select(LedgerEntry.user_id)
            .where(LedgerEntry.line_id.is_not(None))
            .join(RebateOrderLine, RebateOrderLine.id == LedgerEntry.line_id)
            .where(RebateOrderLine.line_key.like(f"{prefix}%"))
        )
    )
    assert holders <= {buyer.id, people[-2].id}
    # Re-importing the report read last changes nothing.
    count = entry_count()
    with tempfile.TemporaryDirectory() as folder:
        import_rows(Path(folder), history[-1], run, 999)
    assert entry_count() == count
