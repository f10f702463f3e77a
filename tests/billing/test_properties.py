"""Property tests on period arithmetic: any mix of purchases, upgrades, refunds and comps.

Whatever the order, each tier's live periods never overlap each other, every paid (and not
refunded) fen keeps its days, no period exists that was not paid for or granted, and no paid
day exceeds what was paid for: an upgrade (priced as the difference to the lower tier's time
under it) only stands where that lower time still does.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community.billing import purchases, refunds
from community.billing.models import Payment
from community.billing.subscriptions import start_grace
from community.errors import ValidationFailed
from community.extensions import db
from community.membership import comps
from community.membership.models import MembershipChange, MembershipPeriod, PeriodSource
from community.membership.periods import YEAR
from community.membership.tiers import tier_by_slug

START = datetime(2026, 1, 1, tzinfo=UTC)
_emails = itertools.count(1)

steps = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.sampled_from(["member", "pro"])),
        st.tuples(st.just("refund"), st.integers(0, 5), st.integers(1, 100)),
        st.tuples(st.just("provider_refund"), st.integers(0, 5), st.integers(1, 100)),
        st.tuples(st.just("comp"), st.sampled_from(["member", "pro"]), st.integers(1, 400)),
        st.tuples(st.just("revoke"), st.integers(0, 5)),
        st.tuples(st.just("wait"), st.integers(0, 500)),
        st.tuples(st.just("renewal_failed"), st.sampled_from(["member", "pro"])),
        st.tuples(st.just("near_end"), st.integers(-48, 48)),
    ),
    min_size=1,
    max_size=8,
)


def apply(user, operator, plan):
    """Run `plan` for `user`; returns the last moment it reached."""
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
        elif kind in ("refund", "provider_refund"):
            paid = [p for p in purchases.payments_of(user) if p.refundable_amount]
            if paid:
                payment = paid[step[1] % len(paid)]
                amount = max(1, payment.refundable_amount * step[2] // 100)
                if kind == "provider_refund":
                    # Made at the provider and reported by its webhook: it cannot be refused.
                    refunds.record_refund(payment, amount, moment, actor=operator, reason="test")
                    continue
                try:
                    refunds.refund_through_provider(
                        payment, amount, moment, actor=operator, reason="test"
                    )
                except ValidationFailed:
                    assert refunds.dependent_upgrades(payment, moment)
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
    return moment


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
@example(plan=[("buy", "member"), ("wait", 2), ("buy", "pro"), ("refund", 1, 100)])
@example(plan=[("buy", "member"), ("wait", 2), ("buy", "pro"), ("provider_refund", 1, 100)])
@example(plan=[("buy", "member"), ("buy", "member"), ("buy", "pro"), ("provider_refund", 2, 40)])
@example(plan=[("comp", "member", 90), ("buy", "pro"), ("revoke", 0)])
def test_periods_never_overlap_lose_paid_days_or_grant_unpaid_ones(make_user, operator, plan):
    user = make_user(email=f"prop{next(_emails)}@example.com")
    end = apply(user, operator, plan)
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
        elif period.source in (PeriodSource.PAYMENT, PeriodSource.UPGRADE):
            payment = db.session.get(Payment, period.payment_id)
            assert payment.status == "paid" and payment.refundable_amount > 0
            assert (period.source == PeriodSource.UPGRADE) == (payment.kind == "upgrade")
        else:
            assert period.source == PeriodSource.COMP and period.granted_by_id == operator.id

    # An upgrade stands only where lower paid time (bought or granted) still lies under it.
    for period in live:
        if period.source == PeriodSource.UPGRADE and period.ends_at > end:
            under = sorted(
                (p.starts_at, p.ends_at)
                for p in owned
                if p.tier.rank < period.tier.rank and p.tier.is_paid
            )
            covered_to = max(period.starts_at, end)
            for start, stop in under:
                if start <= covered_to < stop:
                    covered_to = stop
            assert covered_to >= period.ends_at, (period, under)

    # Each payment keeps exactly its unrefunded share of the time it bought; an upgrade keeps
    # at most that, less only where the time under it went away.
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
        share = original * payment.refundable_amount // payment.amount
        held = sum((p.ends_at - p.starts_at for p in kept), timedelta())
        if payment.kind != "upgrade":
            assert original == YEAR
            assert [p.ends_at - p.starts_at for p in kept] == ([share] if share else [])
        elif held < share:
            cut = db.session.scalar(
                select(MembershipChange.id).where(
                    MembershipChange.user_id == user.id, MembershipChange.action == "upgrade_cut"
                )
            )
            assert cut is not None
        else:
            assert held == share
