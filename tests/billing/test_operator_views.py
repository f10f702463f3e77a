"""Operator member pages: search, history, comps, refunds, tier changes and settings."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.billing import purchases
from community.billing.models import Payment
from community.billing.settings import billing_settings
from community.clock import utcnow
from community.extensions import db
from community.membership.entitlements import standing_at
from community.membership.models import MembershipChange, MembershipPeriod
from community.membership.tiers import tier_by_slug
from tests.helpers import csrf_from, zh


def paid_member(user, slug="member") -> Payment:
    offer = purchases.quote(user, tier_by_slug(slug), utcnow())
    payment = purchases.start_purchase(
        user, slug, offer.kind, offer.amount, "pass", "offline", utcnow()
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, utcnow())
    db.session.commit()
    return payment


@pytest.fixture
def desk(client, login, operator):
    login(client, operator)
    return client


def post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page)), **data})


def periods_of(user):
    db.session.expire_all()
    return db.session.scalars(
        select(MembershipPeriod).where(
            MembershipPeriod.user_id == user.id, MembershipPeriod.revoked_at.is_(None)
        )
    ).all()


@pytest.mark.parametrize("who", [None, "free_user", "member"])
def test_member_pages_are_for_operators_only(client, login, request, who, free_user):
    if who:
        login(client, request.getfixturevalue(who))
    expected = 302 if who is None else 403
    assert client.get("/operator/members").status_code == expected
    assert client.get(f"/operator/members/{free_user.id}").status_code == expected


def test_search_finds_members_by_email_or_chinese_name(desk, make_user):
    make_user(email="wang@example.com", name="王小二")
    make_user(email="li@example.com", name="李四")
    page = desk.get("/operator/members?q=小二").get_data(as_text=True)
    assert "wang@example.com" in page and "li@example.com" not in page
    page = desk.get("/operator/members?q=LI@").get_data(as_text=True)
    assert "li@example.com" in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("_", {"under_score@example.com"}),
        ("%", {"plain@example.com"}),
        ("100%", {"plain@example.com"}),
        ("/", set()),
        ("\\", set()),
    ],
)
def test_search_wildcards_are_plain_characters(desk, make_user, query, found):
    """A search for "_" or "%" finds those characters, not every member."""
    make_user(email="under_score@example.com", name="下划线")
    make_user(email="plain@example.com", name="满分100%")
    make_user(email="other@example.com", name="普通人")
    page = desk.get("/operator/members", query_string={"q": query}).get_data(as_text=True)
    listed = set(re.findall(r"<td>([^<@]+@example\.com)</td>", page))
    assert listed == found


def test_grant_comp_shows_in_history_with_operator_and_reason(desk, free_user, operator):
    url = f"/operator/members/{free_user.id}"
    response = post(desk, url + "/comp", {"tier": "pro", "days": "30", "reason": "推广合作"}, url)
    assert response.status_code == 302
    assert standing_at(free_user, utcnow()).tier.slug == "pro"
    page = desk.get(url).get_data(as_text=True)
    assert 'data-action="comp"' in page and "推广合作" in page and operator.name in page


@pytest.mark.parametrize("days", ["0", "-5", "abc", ""])
def test_comp_with_bad_days_is_refused_with_a_message(desk, free_user, days):
    url = f"/operator/members/{free_user.id}"
    response = post(desk, url + "/comp", {"tier": "member", "days": days, "reason": "x"}, url)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert (
        zh("A complimentary period lasts at least one day.") in body
        or zh("Enter a whole number.") in body
    )
    assert periods_of(free_user) == []


def test_revoke_comp_needs_a_reason(desk, free_user):
    url = f"/operator/members/{free_user.id}"
    post(desk, url + "/comp", {"tier": "member", "days": "10", "reason": "试用"}, url)
    (period,) = periods_of(free_user)
    response = post(desk, url + f"/comps/{period.id}/revoke", {"reason": ""}, url)
    assert response.status_code == 400 and zh("Please give a reason.") in response.get_data(
        as_text=True
    )
    assert len(periods_of(free_user)) == 1
    response = post(
        desk, url + f"/comps/{period.id}/revoke", {"reason": "误操作", "confirm": "yes"}, url
    )
    assert response.status_code == 302
    assert periods_of(free_user) == []


def test_partial_refund_by_operator_shortens_the_period(desk, free_user):
    payment = paid_member(free_user)
    end = standing_at(free_user, utcnow()).active_until
    url = f"/operator/members/{free_user.id}"
    response = post(
        desk,
        url + f"/payments/{payment.id}/refund",
        {"amount": "99.50", "reason": "服务中断", "confirm": "yes"},
        url,
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_amount == 9950
    assert standing_at(free_user, utcnow()).active_until < end
    change = db.session.scalars(
        select(MembershipChange).where(MembershipChange.action == "refund")
    ).one()
    assert change.payment_id == payment.id and change.reason == "服务中断"


@pytest.mark.parametrize("amount", ["0", "-1", "199.01", "abc", "1.234"])
def test_bad_refund_amounts_are_refused(desk, free_user, amount):
    payment = paid_member(free_user)
    url = f"/operator/members/{free_user.id}"
    response = post(
        desk, url + f"/payments/{payment.id}/refund", {"amount": amount, "reason": "x"}, url
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_amount == 0


def test_refund_of_a_payment_of_another_member_is_not_found(desk, free_user, make_user):
    payment = paid_member(free_user)
    other = make_user()
    url = f"/operator/members/{other.id}"
    response = post(
        desk, url + f"/payments/{payment.id}/refund", {"amount": "1", "reason": "x"}, url
    )
    assert response.status_code == 404


def test_change_tier(desk, member):
    url = f"/operator/members/{member.id}"
    response = post(
        desk, url + "/tier", {"tier": "pro", "reason": "客服补偿", "confirm": "yes"}, url
    )
    assert response.status_code == 302
    assert standing_at(member, utcnow()).tier.slug == "pro"


def test_settings_change_the_discount(desk):
    response = post(
        desk,
        "/operator/members/settings",
        {"discount_percent": "20", "grace_days": "5"},
        "/operator/members",
    )
    assert response.status_code == 302
    db.session.expire_all()
    settings = billing_settings()
    assert (settings.renewal_discount_percent, settings.grace_days) == (20, 5)
    response = post(
        desk,
        "/operator/members/settings",
        {"discount_percent": "120", "grace_days": "5"},
        "/operator/members",
    )
    assert response.status_code == 400
    assert zh("The renewal discount must be between 0 and 90%.") in response.get_data(as_text=True)


def test_flagged_payments_are_listed(desk, free_user):
    payment = purchases.start_purchase(
        free_user, "member", "new", 19900, "pass", "offline", utcnow()
    )
    purchases.fulfil_payment(payment, 1, "CNY", utcnow())
    db.session.commit()
    page = desk.get("/operator/members").get_data(as_text=True)
    assert f'data-flagged="{payment.id}"' in page
    assert db.session.scalar(select(func.count(MembershipPeriod.id))) == 0
