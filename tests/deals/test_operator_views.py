"""Operators' deal pages: create, draft, schedule, edit, retire, duplicate, the same-item
warning and clicks per deal; nobody else gets in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.clock import utcnow
from community.deals.models import DRAFT, LIVE, RETIRED, SCHEDULED, Deal
from community.extensions import db
from tests.deals.conftest import SHOP
from tests.helpers import csrf_from, post_form

FORM = {
    "title": "索尼 WH-1000XM5 降噪耳机",
    "platform": "jd",
    "url": SHOP,
    "price": "1999.00",
    "list_price": "2999",
    "commission_rate": "3.5",
    "coupon": "满1500减100",
    "category": "数码",
    "tags": "耳机|降噪",
    "description": "**降噪**旗舰",
}


def local(moment) -> str:
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def test_publish_draft_and_schedule(client, login, operator):
    login(client, operator)
    response = post_form(client, "/operator/deals/new", FORM | {"action": "publish"})
    assert response.status_code == 303
    published = db.session.scalar(select(Deal).order_by(Deal.id.desc()))
    assert (published.status, published.price, published.list_price) == (LIVE, 199900, 299900)
    assert published.commission_rate == 350 and published.tag_names == ["耳机", "降噪"]
    assert published.created_by_id == operator.id

    post_form(client, "/operator/deals/new", FORM | {"title": "草稿", "action": "draft"})
    draft = db.session.scalar(select(Deal).where(Deal.title == "草稿"))
    assert draft.status == DRAFT

    later = utcnow() + timedelta(days=2)
    post_form(
        client,
        f"/operator/deals/{draft.id}",
        FORM | {"title": "定时", "starts_at": local(later), "action": "publish"},
    )
    db.session.refresh(draft)
    assert (draft.title, draft.status) == ("定时", SCHEDULED)
    assert abs((draft.starts_at - later).total_seconds()) < 60


def test_bad_input_is_shown_on_the_form_and_nothing_changes(client, login, operator):
    login(client, operator)
    bad = FORM | {"price": "三千", "url": "https://item.jd.com/1.html", "action": "publish"}
    response = post_form(client, "/operator/deals/new", bad, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The price is not an amount" in page and "needs a place for the member" in page
    assert db.session.scalar(select(Deal)) is None


def test_same_item_warning_retire_and_duplicate(client, login, operator, member, make_deal):
    live = make_deal(url=SHOP)
    login(client, operator)
    response = post_form(
        client, "/operator/deals/new", FORM | {"action": "publish"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "同一商品已有在售好价" in page and live.title in page

    edit = f"/operator/deals/{live.id}"
    token = csrf_from(client.get(edit))
    copied = client.post(f"{edit}/duplicate", data={"csrf_token": token})
    assert copied.status_code == 303
    copy = db.session.scalar(select(Deal).order_by(Deal.id.desc()))
    assert (copy.status, copy.title, copy.external_id) == (DRAFT, live.title, None)
    assert copy.url_template == live.url_template

    assert client.post(f"{edit}/retire", data={"csrf_token": token}).status_code == 303
    db.session.refresh(live)
    assert live.status == RETIRED and live.retired_at is not None
    login(client, member)
    assert f'data-deal="{live.id}"' not in client.get("/deals/").get_data(as_text=True)


def test_clicks_per_deal_on_the_operator_list(client, login, operator, member, make_deal):
    deal = make_deal()
    login(client, member)
    for _ in range(3):
        client.get(f"/go/{deal.id}")
    login(client, operator)
    page = client.get("/operator/deals").get_data(as_text=True)
    assert "3 次点击" in page
    assert "3 次点击" in client.get(f"/operator/deals/{deal.id}").get_data(as_text=True)


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_only_operators_get_in(client, login, member, make_deal, who):
    deal = make_deal()
    if who == "member":
        login(client, member)
    for url in ("/operator/deals", "/operator/deals/new", f"/operator/deals/{deal.id}"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert deal.url_template not in response.get_data(as_text=True)
    token_page = client.get("/deals/")
    assert token_page.status_code == 200
    response = client.post(f"/operator/deals/{deal.id}/retire")
    assert response.status_code in (302, 400, 403)
    db.session.refresh(deal)
    assert deal.status == LIVE
