"""GET /api/v1/deals: the documented shape, filters, and money, coupon and go link for active
members only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.accounts import tokens
from community.clock import utcnow
from community.extensions import db
from tests.conftest import grant_period
from tests.deals.conftest import SECRET_COUPON

KEYS = {
    "id",
    "external_id",
    "title",
    "platform",
    "category",
    "tags",
    "price",
    "list_price",
    "coupon",
    "expires_at",
    "estimated_rebate",
    "go_url",
}
MONEY = ("price", "list_price", "coupon", "estimated_rebate", "go_url")


def bearer(user) -> dict:
    _token, raw = tokens.create_api_token(user, "脚本")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_members_get_every_field_in_fen(client, member, make_deal, hours):
    deal = make_deal(expires_at=hours(30))
    make_deal(starts_at=hours(-9), expires_at=hours(-1))
    body = client.get("/api/v1/deals", headers=bearer(member)).get_json()
    assert (body["total"], body["page"]) == (1, 1)
    [result] = body["results"]
    assert set(result) == KEYS
    assert result["id"] == deal.id and result["external_id"] == deal.external_id
    assert (result["price"], result["list_price"], result["coupon"]) == (
        18900,
        29900,
        SECRET_COUPON,
    )
    assert result["tags"] == ["耳机", "蓝牙"] and result["expires_at"].startswith("20")
    assert result["estimated_rebate"] > 0
    assert result["go_url"].endswith(f"/go/{deal.id}")


@pytest.mark.parametrize("who", ["visitor", "free", "lapsed"])
def test_everyone_else_gets_nulls_for_money_coupon_and_go_url(client, make_user, make_deal, who):
    make_deal()
    headers = {}
    if who == "free":
        headers = bearer(make_user())
    elif who == "lapsed":
        lapsed = make_user()
        grant_period(lapsed, "member", 30, start=utcnow() - timedelta(days=60))
        db.session.commit()
        headers = bearer(lapsed)
    response = client.get("/api/v1/deals", headers=headers)
    [result] = response.get_json()["results"]
    assert set(result) == KEYS
    assert all(result[key] is None for key in MONEY)
    assert result["title"] and result["platform"] == "jd"
    text = response.get_data(as_text=True)
    assert SECRET_COUPON not in text and "union-click" not in text and "18900" not in text


def test_filters_pages_and_bad_arguments(client, member, make_deal):
    make_deal(platform="pdd", title="拼多多 纸巾")
    make_deal(category="家电", title="美的 电饭煲")
    for _ in range(21):
        make_deal()
    headers = bearer(member)

    def get(query: str):
        return client.get("/api/v1/deals" + query, headers=headers)

    assert [r["platform"] for r in get("?platform=pdd").get_json()["results"]] == ["pdd"]
    assert [r["title"] for r in get("?category=家电").get_json()["results"]] == ["美的 电饭煲"]
    assert [r["title"] for r in get("?q=电饭").get_json()["results"]] == ["美的 电饭煲"]
    assert get("?q=100%25").get_json()["total"] == 0
    second = get("?page=2").get_json()
    assert (second["total"], second["page"], len(second["results"])) == (23, 2, 3)
    for bad in ("?page=0", "?page=abc", "?page=99999", "?platform=ebay", "?q=" + "长" * 101):
        response = get(bad)
        assert response.status_code == 400, bad
        assert response.get_json()["error"]
