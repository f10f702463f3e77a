"""No price, coupon, affiliate URL, template or sub id reaches anyone who is not an active
member: pages, page metadata, the API, redirects and error pages (as tests/qa/test_gating.py
checks Q&A text)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.clock import utcnow
from community.deals import publishing
from community.extensions import db
from tests.conftest import grant_period
from tests.deals.conftest import SECRET_CODE, SECRET_COUPON, sub_id

SECRET_DESCRIPTION = "DESCRIPTIONSECRET"
SECRET_HOST = "union-click.jd.com"
PRICE_MARKS = ("¥189", "¥299", "18900", "29900", "189.00")


@pytest.fixture
def shelf(make_deal, operator, hours):
    live = make_deal(title="好价 LIVE")
    expired = make_deal(title="好价 EXPIRED", starts_at=hours(-9), expires_at=hours(-1))
    retired = make_deal(title="好价 RETIRED")
    publishing.retire(operator, retired)
    db.session.commit()
    return live, expired, retired


def urls_for(live, expired, retired) -> list[str]:
    return [
        "/deals/",
        "/deals/?sort=discount",
        "/deals/?min_price=100&max_price=200",
        "/deals/?sort=worth&min_worth=0",
        "/deals/?platform=jd&category=数码&tag=耳机",
        f"/deals/{live.id}",
        f"/deals/{expired.id}",
        f"/deals/{retired.id}",
        "/deals/999999",
        f"/go/{live.id}",
        f"/go/{expired.id}",
        f"/go/{retired.id}",
        "/go/999999",
        f"/deals/{live.id}/vote",
        "/api/v1/deals",
        "/api/v1/deals?q=好价",
        "/api/v1/deals?page=abc",
        "/operator/deals",
        f"/operator/deals/{live.id}",
    ]


def who_is(kind: str, make_user):
    if kind == "visitor":
        return None
    user = make_user()
    if kind == "lapsed":
        grant_period(user, "member", 30, start=utcnow() - timedelta(days=60))
        db.session.commit()
    return user


@pytest.mark.parametrize("kind", ["visitor", "free", "lapsed"])
def test_nothing_of_a_deals_money_or_shop_reaches_non_members(
    client, login, make_user, member, shelf, kind
):
    member_sub_id = sub_id(member)
    user = who_is(kind, make_user)
    if user is not None:
        login(client, user)
    for url in urls_for(*shelf):
        for method in ("GET", "POST") if url.endswith("/vote") else ("GET",):
            response = client.open(url, method=method)
            text = response.get_data(as_text=True) + str(response.headers)
            assert response.status_code < 500, url
            for secret in (SECRET_COUPON, SECRET_CODE, SECRET_DESCRIPTION, SECRET_HOST):
                assert secret not in text, (url, secret)
            assert member_sub_id not in text, url
            assert "{sub_id}" not in text and "subUnionId" not in text, url
            for mark in PRICE_MARKS:
                assert mark not in text, (url, mark)
            location = response.headers.get("Location", "")
            assert location == "" or location.startswith("/"), (url, location)


def test_the_teaser_shows_titles_platforms_categories_and_a_call_to_join(
    client, login, free_user, shelf
):
    live, expired, retired = shelf
    login(client, free_user)
    page = client.get("/deals/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert live.title in page and "JD" in page and "数码" in page
    assert expired.title not in page and retired.title not in page
    assert 'data-testid="join-call"' in page and "/pricing" in page
    assert "/go/" not in page


def test_members_see_money_but_never_the_template_or_another_members_sub_id(
    client, login, member, mallory, shelf
):
    live, _expired, _retired = shelf
    other = sub_id(mallory)
    login(client, member)
    for url in ("/deals/", f"/deals/{live.id}", "/api/v1/deals"):
        text = client.get(url).get_data(as_text=True)
        assert "18900" in text or "¥189" in text
        assert SECRET_HOST not in text and "{sub_id}" not in text and other not in text
    location = client.get(f"/go/{live.id}").headers["Location"]
    assert sub_id(member) in location and other not in location


def test_page_metadata_carries_no_money(client, login, member, shelf):
    live = shelf[0]
    login(client, member)
    page = client.get(f"/deals/{live.id}").get_data(as_text=True)
    head = page.split("</head>")[0]
    assert live.title in head
    for secret in (SECRET_COUPON, SECRET_HOST, *PRICE_MARKS):
        assert secret not in head
