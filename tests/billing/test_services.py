"""Billing rules without HTTP: quotes, fulfilment, renewals, upgrades, refunds, comps, grace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.billing import purchases, refunds
from community.billing.models import Payment
from community.billing.settings import billing_settings
from community.billing.subscriptions import start_grace
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership import comps
from community.membership.entitlements import standing_at
from community.membership.models import MembershipChange, MembershipPeriod
from community.membership.periods import YEAR
from community.membership.tiers import tier_by_slug
from tests.conftest import grant_period

DAY = timedelta(days=1)


def buy(user, slug, moment, mode="pass"):
    """Quote, start and fulfil a purchase the way checkout does; returns the payment."""
    offer = purchases.quote(user, tier_by_slug(slug), moment)
    payment = purchases.start_purchase(
        user, slug, offer.kind, offer.amount, mode, "offline", moment
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, moment)
    return payment


def live(user):
    return list(
        db.session.scalars(
            select(MembershipPeriod)
            .where(MembershipPeriod.user_id == user.id, MembershipPeriod.revoked_at.is_(None))
            .order_by(MembershipPeriod.starts_at)
        )
    )


def test_new_member_pays_the_tier_price_for_a_year_from_now(app, free_user):
    now = utcnow()
    offer = purchases.quote(free_user, tier_by_slug("member"), now)
    assert (offer.kind, offer.amount, offer.currency) == ("new", 19900, "CNY")
    payment = buy(free_user, "member", now)
    assert payment.status == "paid" and payment.paid_at == now
    current = standing_at(free_user, now)
    assert current.tier.slug == "member" and current.active_until == now + YEAR
    change = db.session.scalar(
        select(MembershipChange).where(MembershipChange.user_id == free_user.id)
    )
    assert (change.action, change.payment_id, change.ends_at) == ("new", payment.id, now + YEAR)


def test_early_renewal_extends_from_the_current_end_with_the_discount(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    later = now + timedelta(days=340)  # 25 days before the end: inside the 30-day window
    offer = purchases.quote(free_user, tier_by_slug("member"), later)
    assert offer.kind == "renewal"
    assert offer.discount_percent == 10 and offer.amount == 19900 * 90 // 100
    assert offer.starts_at == now + YEAR
    buy(free_user, "member", later)
    assert standing_at(free_user, later).active_until == now + 2 * YEAR


def test_renewal_long_before_the_end_is_full_price_but_still_extends(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    offer = purchases.quote(free_user, tier_by_slug("member"), now + 10 * DAY)
    assert (offer.kind, offer.amount, offer.starts_at) == ("renewal", 19900, now + YEAR)


def test_lapsed_renewal_starts_now_discounted_only_within_grace_days(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    in_grace = now + YEAR + 3 * DAY
    offer = purchases.quote(free_user, tier_by_slug("member"), in_grace)
    assert (offer.kind, offer.starts_at, offer.discount_percent) == ("renewal", in_grace, 10)
    long_gone = now + YEAR + 30 * DAY
    offer = purchases.quote(free_user, tier_by_slug("member"), long_gone)
    assert (offer.kind, offer.starts_at, offer.amount) == ("new", long_gone, 19900)


def test_discount_follows_the_operator_setting(app, free_user):
    billing_settings().renewal_discount_percent = 25
    now = utcnow()
    buy(free_user, "member", now)
    offer = purchases.quote(free_user, tier_by_slug("member"), now + YEAR - DAY)
    assert offer.amount == 19900 * 75 // 100


def test_upgrade_pays_the_prorated_difference_and_keeps_the_end_date(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    later = now + timedelta(days=100, hours=5)
    offer = purchases.quote(free_user, tier_by_slug("pro"), later)
    assert offer.kind == "upgrade"
    assert offer.amount == (49900 - 19900) * 264 // 365  # 264 whole days left, rounded down
    assert offer.ends_at == now + YEAR
    buy(free_user, "pro", later)
    current = standing_at(free_user, later)
    assert current.tier.slug == "pro" and current.active_until == now + YEAR
    assert standing_at(free_user, now + YEAR).tier.slug == "free"


def test_buying_a_lower_tier_while_pro_starts_when_pro_ends(app, free_user):
    now = utcnow()
    buy(free_user, "pro", now)
    offer = purchases.quote(free_user, tier_by_slug("member"), now + 300 * DAY)
    assert (offer.kind, offer.starts_at) == ("renewal", now + YEAR)
    buy(free_user, "member", now + 300 * DAY)
    assert standing_at(free_user, now + YEAR + DAY).tier.slug == "member"
    assert standing_at(free_user, now + YEAR - DAY).tier.slug == "pro"


def test_paying_twice_for_one_payment_grants_once(app, free_user):
    now = utcnow()
    payment = buy(free_user, "member", now)
    assert purchases.fulfil_payment(payment, payment.amount, "CNY", now) is None
    assert len(live(free_user)) == 1


@pytest.mark.parametrize(("amount", "currency"), [(100, "CNY"), (19900, "USD")])
def test_a_mismatched_amount_or_currency_grants_nothing_and_is_flagged(
    app, free_user, amount, currency
):
    now = utcnow()
    payment = purchases.start_purchase(free_user, "member", "new", 19900, "pass", "offline", now)
    assert purchases.fulfil_payment(payment, amount, currency, now) is None
    assert payment.status == "flagged" and "quoted 19900 CNY" in payment.note
    assert live(free_user) == []
    assert standing_at(free_user, now).tier.slug == "free"


@pytest.mark.parametrize(
    ("slug", "kind", "amount", "mode", "field"),
    [
        ("gold", "new", 19900, "pass", "tier"),
        ("free", "new", 0, "pass", "tier"),
        ("member", "new", 1, "pass", "amount"),
        ("member", "upgrade", 19900, "pass", "kind"),
        ("member", "new", 19900, "bitcoin", "mode"),
    ],
)
def test_start_purchase_refuses_tampered_forms(app, free_user, slug, kind, amount, mode, field):
    with pytest.raises(ValidationFailed) as refused:
        purchases.start_purchase(free_user, slug, kind, amount, mode, "offline", utcnow())
    assert refused.value.errors[0][0] == field
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_buying_the_tier_you_have_as_new_is_refused_as_a_renewal(app, member):
    with pytest.raises(ValidationFailed) as refused:
        purchases.start_purchase(member, "member", "new", 19900, "pass", "offline", utcnow())
    assert refused.value.errors[0][0] == "kind"


def test_subscription_only_for_a_purchase_that_starts_today(app, free_user):
    now = utcnow()
    buy(free_user, "member", now, mode="subscription")
    offer = purchases.quote(free_user, tier_by_slug("member"), now + DAY)
    assert not offer.allows_subscription
    with pytest.raises(ValidationFailed):
        purchases.start_purchase(
            free_user, "member", "renewal", offer.amount, "subscription", "offline", now + DAY
        )


def test_member_refunds_a_first_payment_within_72_hours(app, free_user):
    now = utcnow()
    payment = buy(free_user, "member", now)
    later = now + timedelta(hours=71)
    refunds.check_member_refund(free_user, payment, later)
    refunds.refund_through_provider(payment, payment.amount, later, actor=free_user)
    assert payment.refunded_amount == 19900 and payment.refundable_amount == 0
    assert standing_at(free_user, later).tier.slug == "free"
    assert live(free_user) == []


def test_member_refund_refused_after_72_hours(app, free_user):
    now = utcnow()
    payment = buy(free_user, "member", now)
    with pytest.raises(ValidationFailed):
        refunds.check_member_refund(free_user, payment, now + timedelta(hours=73))


def test_member_refund_refused_for_a_renewal(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    second = buy(free_user, "member", now + DAY)
    with pytest.raises(ValidationFailed):
        refunds.check_member_refund(free_user, second, now + 2 * DAY)


def test_member_cannot_refund_someone_elses_payment(app, free_user, mallory):
    payment = buy(free_user, "member", utcnow())
    with pytest.raises(NotAllowed):
        refunds.check_member_refund(mallory, payment, utcnow())


def test_partial_refund_shortens_the_period_in_proportion(app, free_user, operator):
    now = utcnow()
    payment = buy(free_user, "member", now)
    refunds.refund_through_provider(payment, 19900 // 4, now + DAY, actor=operator, reason="x")
    period = live(free_user)[0]
    assert period.ends_at == now + YEAR * (19900 - 4975) // 19900
    refunds.refund_through_provider(payment, payment.refundable_amount, now + DAY, actor=operator)
    assert live(free_user) == []


@pytest.mark.parametrize("amount", [0, -5, 19901])
def test_refund_amount_must_fit_the_payment(app, free_user, operator, amount):
    payment = buy(free_user, "member", utcnow())
    with pytest.raises(ValidationFailed):
        refunds.refund_through_provider(payment, amount, utcnow(), actor=operator)
    assert payment.refunds == []


def test_comp_extends_after_current_time_and_records_operator_and_reason(app, member, operator):
    now = utcnow()
    before = standing_at(member, now).active_until
    period = comps.grant_comp(member, tier_by_slug("member"), 30, "活动奖励", operator, now)
    assert period.starts_at == before and period.ends_at == before + 30 * DAY
    assert period.granted_by_id == operator.id and period.reason == "活动奖励"
    comps.revoke_comp(period, "发错了", operator, now)
    assert standing_at(member, now).active_until == before
    actions = db.session.scalars(
        select(MembershipChange.action).where(MembershipChange.user_id == member.id)
    ).all()
    assert actions == ["comp", "comp_revoked"]


@pytest.mark.parametrize(("days", "reason"), [(0, "x"), (-3, "x"), (None, "x"), (5, " ")])
def test_comp_needs_positive_days_and_a_reason(app, free_user, operator, days, reason):
    with pytest.raises(ValidationFailed):
        comps.grant_comp(free_user, tier_by_slug("member"), days, reason, operator, utcnow())
    assert live(free_user) == []


def test_change_tier_moves_the_remaining_time(app, member, operator):
    now = utcnow()
    end = standing_at(member, now).active_until
    comps.change_tier(member, tier_by_slug("pro"), "客服补偿", operator, now)
    current = standing_at(member, now)
    assert current.tier.slug == "pro" and current.active_until == end
    assert {p.tier.slug for p in live(member) if p.ends_at > now} == {"pro"}


def test_grace_after_failed_renewal_keeps_access_then_ends(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    end = now + YEAR
    grace = start_grace(free_user.id, tier_by_slug("member"), end - DAY)
    assert grace.starts_at == end and grace.ends_at == end + 7 * DAY
    assert start_grace(free_user.id, tier_by_slug("member"), end - DAY) is None
    assert standing_at(free_user, end + 6 * DAY).tier.slug == "member"
    assert standing_at(free_user, end + 7 * DAY).tier.slug == "free"


def test_renewal_during_grace_starts_at_the_old_end_and_replaces_grace(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    end = now + YEAR
    start_grace(free_user.id, tier_by_slug("member"), end)
    payment = buy(free_user, "member", end + 3 * DAY)
    assert payment.kind == "renewal"
    assert [(p.starts_at, p.ends_at, p.source) for p in live(free_user)] == [
        (now, end, "payment"),
        (end, end + YEAR, "payment"),
    ]


def test_grant_period_fixture_members_are_members(app, make_user):
    user = make_user()
    grant_period(user, "pro", 10)
    assert standing_at(user, utcnow()).tier.slug == "pro"


def test_comp_during_grace_replaces_the_grace_like_a_renewal(app, free_user, operator):
    now = utcnow()
    buy(free_user, "member", now)
    end = now + YEAR
    start_grace(free_user.id, tier_by_slug("member"), end)
    moment = end + 3 * DAY
    period = comps.grant_comp(free_user, tier_by_slug("member"), 10, "补偿", operator, moment)
    assert (period.starts_at, period.ends_at) == (end, end + 10 * DAY)
    assert [p.source for p in live(free_user)] == ["payment", "comp"]
