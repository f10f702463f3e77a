"""A refund cannot leave time nobody paid for: upgrades stand on the lower time under them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.billing import refunds
from community.clock import utcnow
from community.errors import ValidationFailed
from community.membership import comps
from community.membership.entitlements import standing_at
from community.membership.models import MembershipChange, PeriodSource
from community.membership.periods import YEAR
from community.membership.tiers import tier_by_slug
from tests.billing.test_services import DAY, buy, live


def actions(user) -> list[str]:
    from community.extensions import db

    return list(
        db.session.scalars(
            select(MembershipChange.action)
            .where(MembershipChange.user_id == user.id)
            .order_by(MembershipChange.id)
        )
    )


def test_upgrade_periods_are_marked_as_upgrades(app, free_user):
    now = utcnow()
    buy(free_user, "member", now)
    buy(free_user, "pro", now + DAY)
    assert [p.source for p in live(free_user)] == [PeriodSource.PAYMENT, PeriodSource.UPGRADE]


def test_member_refund_of_the_first_payment_refunds_the_upgrade_priced_on_it(app, free_user):
    """The fault: the member year was revoked but the Pro upgrade (priced as the difference
    against it) stayed — a Pro year for the price of the difference."""
    now = utcnow()
    base = buy(free_user, "member", now)
    upgrade = buy(free_user, "pro", now + timedelta(hours=5))
    later = now + timedelta(hours=30)
    refunds.check_member_refund(free_user, base, later)
    made = refunds.refund_through_provider(
        base, base.refundable_amount, later, actor=free_user, reason="member refund"
    )
    assert [(r.payment_id, r.amount) for r in made] == [
        (upgrade.id, upgrade.amount),
        (base.id, 19900),
    ]
    assert upgrade.refundable_amount == 0 and base.refundable_amount == 0
    assert live(free_user) == []
    assert standing_at(free_user, later).tier.slug == "free"


def test_operator_partial_refund_of_a_base_payment_is_refused_while_an_upgrade_stands_on_it(
    app, free_user, operator
):
    now = utcnow()
    base = buy(free_user, "member", now)
    upgrade = buy(free_user, "pro", now + 10 * DAY)
    with pytest.raises(ValidationFailed) as refused:
        refunds.refund_through_provider(base, 5000, now + 20 * DAY, actor=operator, reason="x")
    assert f"#{upgrade.id}" in refused.value.errors[0][1]
    assert base.refunds == [] and upgrade.refunds == []
    # Once the upgrade is refunded, the base can be refunded in part.
    refunds.refund_through_provider(
        upgrade, upgrade.refundable_amount, now + 20 * DAY, actor=operator, reason="x"
    )
    refunds.refund_through_provider(base, 5000, now + 20 * DAY, actor=operator, reason="x")
    assert [p.tier.slug for p in live(free_user)] == ["member"]


def test_a_refund_made_at_the_provider_cuts_the_upgrade_standing_on_it(app, free_user):
    """A refund from the provider's dashboard cannot be refused: the upgrade is cut instead."""
    now = utcnow()
    base = buy(free_user, "member", now)
    buy(free_user, "pro", now + 10 * DAY)
    moment = now + 20 * DAY
    refunds.record_refund(base, base.amount // 2, moment, reason="Stripe charge.refunded")
    member_end = now + YEAR * (base.amount - base.amount // 2) // base.amount
    assert standing_at(free_user, member_end - DAY).tier.slug == "pro"
    assert standing_at(free_user, member_end + DAY).tier.slug == "free"
    assert "upgrade_cut" in actions(free_user)

    refunds.record_refund(base, base.refundable_amount, moment, reason="Stripe charge.refunded")
    assert standing_at(free_user, moment).tier.slug == "free"
    assert all(p.ends_at <= moment for p in live(free_user))


def test_an_upgrade_over_a_renewal_keeps_the_part_the_renewal_still_covers(app, free_user):
    now = utcnow()
    first = buy(free_user, "member", now)
    buy(free_user, "member", now + DAY)  # early renewal: the second year follows the first
    buy(free_user, "pro", now + 2 * DAY)  # priced to the end of the second year
    refunds.record_refund(first, first.amount, now + 3 * DAY, reason="Stripe charge.refunded")
    assert standing_at(free_user, now + 4 * DAY).tier.slug == "free"
    assert standing_at(free_user, now + YEAR + DAY).tier.slug == "pro"
    assert standing_at(free_user, now + 2 * YEAR - DAY).tier.slug == "pro"


def test_revoking_a_comp_cuts_the_upgrade_priced_against_it(app, free_user, operator):
    now = utcnow()
    comp = comps.grant_comp(free_user, tier_by_slug("member"), 90, "活动", operator, now)
    buy(free_user, "pro", now + DAY)
    assert standing_at(free_user, now + 2 * DAY).tier.slug == "pro"
    comps.revoke_comp(comp, "发错了", operator, now + 2 * DAY)
    assert standing_at(free_user, now + 3 * DAY).tier.slug == "free"
    assert actions(free_user)[-1] == "upgrade_cut"


def test_moving_time_to_pro_keeps_the_upgrade_time_as_pro(app, free_user, operator):
    now = utcnow()
    buy(free_user, "member", now)
    buy(free_user, "pro", now + DAY)
    comps.change_tier(free_user, tier_by_slug("pro"), "客服", operator, now + 2 * DAY)
    current = standing_at(free_user, now + 3 * DAY)
    assert (current.tier.slug, current.active_until) == ("pro", now + YEAR)
    comps.change_tier(free_user, tier_by_slug("member"), "客服", operator, now + 4 * DAY)
    current = standing_at(free_user, now + 5 * DAY)
    assert (current.tier.slug, current.active_until) == ("member", now + YEAR)
