"""May this user do X now? Tier, active periods and roles."""

from datetime import timedelta

import pytest
from flask import Blueprint

from community.accounts.models import Role
from community.clock import utcnow
from community.extensions import db
from community.membership.decorators import entitlement_required, member_required
from community.membership.entitlements import ENTITLEMENTS, may, standing_at
from community.membership.tiers import seed_default_tiers, tier_by_slug
from community.security import operator_required
from tests.conftest import grant_period


def test_seeded_tiers_match_the_spec(app):
    free, member, pro = (tier_by_slug(slug) for slug in ("free", "member", "pro"))
    assert (free.annual_price, member.annual_price, pro.annual_price) == (0, 19900, 49900)
    assert (member.rebate_share, pro.rebate_share) == (50, 70)
    assert {tier.currency for tier in (free, member, pro)} == {"CNY"}
    assert not any(free.grants(e) for e in ENTITLEMENTS)
    assert all(pro.grants(e) for e in ENTITLEMENTS)
    assert member.grants("read_answers") and not member.grants("ask_expert")
    assert seed_default_tiers() == []


def test_user_without_a_period_is_free(app, free_user):
    current = standing_at(free_user, utcnow())
    assert current.tier.slug == "free" and current.active_until is None
    assert not may(free_user, "read_answers")


def test_active_period_grants_its_tier(app, member, pro_member):
    assert may(member, "read_answers") and may(member, "ask") and not may(member, "ask_expert")
    assert may(pro_member, "ask_expert")


def test_period_boundaries(app, make_user):
    user = make_user()
    start = utcnow() + timedelta(days=10)
    period = grant_period(user, "member", 365, start=start)
    assert standing_at(user, start - timedelta(seconds=1)).tier.slug == "free"
    assert standing_at(user, start).tier.slug == "member"
    assert standing_at(user, period.ends_at - timedelta(seconds=1)).tier.slug == "member"
    assert standing_at(user, period.ends_at).tier.slug == "free"


def test_back_to_back_periods_extend_active_until(app, make_user):
    user = make_user()
    first = grant_period(user, "member", 30)
    second = grant_period(user, "member", 365, start=first.ends_at)
    assert standing_at(user, utcnow()).active_until == second.ends_at


def test_highest_tier_wins_while_periods_overlap(app, make_user):
    user = make_user()
    grant_period(user, "member", 365)
    grant_period(user, "pro", 30)
    assert standing_at(user, utcnow()).tier.slug == "pro"
    assert standing_at(user, utcnow() + timedelta(days=40)).tier.slug == "member"


def test_revoked_period_grants_nothing(app, make_user):
    user = make_user()
    period = grant_period(user, "member", 365)
    period.revoked_at = utcnow()
    db.session.flush()
    assert standing_at(user, utcnow()).tier.slug == "free"


def test_staff_may_everything(app, operator, admin):
    assert all(may(operator, e) for e in ENTITLEMENTS)
    assert all(may(admin, e) for e in ENTITLEMENTS)


def test_unknown_entitlement_is_a_programming_error(app, member):
    with pytest.raises(ValueError):
        may(member, "fly")


@pytest.fixture
def guarded(app):
    bp = Blueprint("guarded", __name__)

    @bp.route("/answers")
    @entitlement_required("read_answers")
    def answers():
        return "answers"

    @bp.route("/members")
    @member_required
    def members():
        return "members"

    @bp.route("/operators")
    @operator_required
    def operators():
        return "operators"

    app.register_blueprint(bp)
    return app


@pytest.mark.parametrize(
    ("who", "answers", "members", "operators"),
    [
        (None, 302, 302, 302),
        ("free_user", 403, 403, 403),
        ("member", 200, 200, 403),
        ("pro_member", 200, 200, 403),
        ("operator", 200, 200, 200),
        ("admin", 200, 200, 200),
    ],
)
def test_decorators_by_role(guarded, request, login, who, answers, members, operators):
    client = guarded.test_client()
    if who:
        login(client, request.getfixturevalue(who))
    assert client.get("/answers").status_code == answers
    assert client.get("/members").status_code == members
    assert client.get("/operators").status_code == operators


def test_expired_member_loses_access(guarded, make_user, login):
    user = make_user(role=Role.MEMBER)
    grant_period(user, "member", 10, start=utcnow() - timedelta(days=20))
    db.session.commit()
    client = guarded.test_client()
    login(client, user)
    assert client.get("/answers").status_code == 403
