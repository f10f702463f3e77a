"""Property tests on period arithmetic: any mix of purchases, upgrades, refunds and comps.

Whatever the order, each tier's live periods never overlap each other, every paid (and not
refunded) fen keeps its days, and no period exists that was not paid for or granted.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community.billing import comps, purchases, refunds
from community.billing.models import MembershipPeriod, Payment, PeriodSource
from community.billing.periods import YEAR
from community.billing.subscriptions import start_grace
from community.billing.tiers import tier_by_slug
from community.errors import ValidationFailed
from community.extensions import db

START = datetime(2026, 1, 1, tzinfo=UTC)
_emails = itertools.count(1)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.sampled_from(["member", "pro"])),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 100)),
        st.tuples(st.just("comp"), st.sampled_from(["member", "pro"]), st.integers(1, 400)),
        st.tuples(st.just("revoke"), st.integers(0, 5)),
        st.tuples(st.just("wait"), st.integers(0, 500)),
        st.tuples(st.just("renewal_failed"), st.sampled_from(["member", "pro"])),
        st.tuples(st.just("near_end"), st.integers(-48, 48)),
    ),
    min_size=1,
    max_size=8,
)


def apply(user, operator, plan) -> None:
    moment = START
    for step in plan:
        kind = step[0]
        if kind == "wait":
            moment += timedelta(days=step[1], hours=3)
        elif kind == "buy":
            try:
                offer = purchases.quote(user, tier_by_slug(step[1]), moment)
            except ValidationFailed:
                continue
            payment = purchases.start_purchase(
                user, step[1], offer.kind, offer.amount, "pass", "offline", moment
            )
            purchases.fulfil_payment(payment, payment.amount, payment.currency, moment)
        elif kind == "refund":
            paid = [p for p in purchases.payments_of(user) if p.refundable_amount]
            if paid:
                payment = paid[step[1] % len(paid)]
                amount = max(1, payment.refundable_amount * step[2] // 100)
                refunds.record_refund(payment, amount, moment, actor=operator, reason="test")
        elif kind == "comp":
            comps.grant_comp(user, tier_by_slug(step[1]), step[2], "test", operator, moment)
        elif kind == "near_end":
            ends = [p.ends_at for p in live_periods(user)]
            if ends:
                moment = max(moment, max(ends) + timedelta(hours=step[1]))
        elif kind == "renewal_failed":
            start_grace(user.id, tier_by_slug(step[1]), moment)
        elif kind == "revoke":
            granted = live_periods(user, source=PeriodSource.COMP)
            if granted:
                comps.revoke_comp(granted[step[1] % len(granted)], "test", operator, moment)
    db.session.flush()


def live_periods(user, source=None) -> list[MembershipPeriod]:
    query = select(MembershipPeriod).where(
        MembershipPeriod.user_id == user.id, MembershipPeriod.revoked_at.is_(None)
    )
    if source:
        query = query.where(MembershipPeriod.source == source)
    return list(db.session.scalars(query.order_by(MembershipPeriod.starts_at)))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
@example(
    plan=[("buy", "member"), ("near_end", -24), ("renewal_failed", "member"), ("comp", "member", 9)]
)
@example(
    plan=[("buy", "member"), ("near_end", 30), ("renewal_failed", "member"), ("buy", "member")]
)
@example(plan=[("buy", "member"), ("buy", "pro"), ("refund", 0, 50), ("buy", "member")])
def test_periods_never_overlap_lose_paid_days_or_grant_unpaid_ones(make_user, operator, plan):
    user = make_user(email=f"prop{next(_emails)}@example.com")
    apply(user, operator, plan)
    live = live_periods(user)

    # A tier's paid or granted time never overlaps itself.
    owned = [p for p in live if p.source != PeriodSource.GRACE]
    for tier_id in {p.tier_id for p in owned}:
        spans = sorted((p.starts_at, p.ends_at) for p in owned if p.tier_id == tier_id)
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, spans

    # Every live period was paid for (and is not refunded away) or granted; grace lasts
    # the grace days from the end of that tier's paid time, and never past paid time.
    for period in live:
        if period.source == PeriodSource.GRACE:
            assert period.ends_at - period.starts_at == timedelta(days=7)
            same_tier = [p for p in owned if p.tier_id == period.tier_id]
            assert any(p.ends_at == period.starts_at for p in same_tier)
            assert not any(
                p.starts_at < period.ends_at and period.starts_at < p.ends_at for p in same_tier
            )
        elif period.source == PeriodSource.PAYMENT:
            payment = db.session.get(Payment, period.payment_id)
            assert payment.status == "paid" and payment.refundable_amount > 0
        else:
            assert period.source == PeriodSource.COMP and period.granted_by_id == operator.id

    # Each payment keeps exactly its unrefunded share of the time it bought.
    for payment in purchases.payments_of(user):
        bought = db.session.scalars(
            select(MembershipPeriod)
            .where(MembershipPeriod.payment_id == payment.id)
            .order_by(MembershipPeriod.id)
        ).all()
        kept = [p for p in bought if p.revoked_at is None]
        if payment.status != "paid":
            assert kept == []
            continue
        original = bought[0].ends_at - bought[0].starts_at
        if payment.kind != "upgrade":
            assert original == YEAR
        expected = original * payment.refundable_amount // payment.amount
        if payment.refundable_amount == 0:
            assert kept == []
        else:
            assert [p.ends_at - p.starts_at for p in kept] == [expected]
