"""The go link: one click recorded per redirect, only ever to the deal's own address with the
member's identifiers, members only, 410 for ended deals and 404 for unknown ones."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from community.affiliate.services import assign_adzone
from community.clock import utcnow
from community.deals import publishing
from community.deals.models import DealClick
from community.extensions import db
from tests.deals.conftest import sub_id

PAYLOADS = [
    "?url=https://evil.example/",
    "?next=https://evil.example/",
    "?next=//evil.example/",
    "?redirect=%2F%2Fevil.example%2F",
    "?url=%68ttps%3A%2F%2Fevil.example",
    "/https://evil.example",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "//evil.example",
    "/..%2F..%2Fevil.example",
    "/%5C%5Cevil.example",
    "?u=\\\\evil.example",
    "?x=%0d%0aLocation:%20https://evil.example",
    "%0d%0aLocation:%20https://evil.example",
    "?sub_id=attacker",
    "?subUnionId=attacker",
    "#https://evil.example",
    "?url=javascript:alert(1)",
    "/@evil.example",
]


def clicks(deal=None) -> int:
    query = select(func.count(DealClick.id))
    if deal is not None:
        query = query.where(DealClick.deal_id == deal.id)
    return db.session.scalar(query)


def test_a_member_is_sent_to_the_deals_address_with_their_sub_id(client, login, member, make_deal):
    deal = make_deal()
    login(client, member)
    response = client.get(f"/go/{deal.id}", headers={"User-Agent": "TestPhone/1.0"})
    assert response.status_code == 302
    expected = deal.url_template.replace("{sub_id}", sub_id(member))
    assert response.headers["Location"] == expected
    assert response.headers["Referrer-Policy"] == "no-referrer"
    click = db.session.scalar(select(DealClick))
    assert (click.deal_id, click.user_id, click.user_agent) == (deal.id, member.id, "TestPhone/1.0")
    assert len(click.ip_hash) == 64 and "127.0.0.1" not in click.ip_hash
    assert click.clicked_at > utcnow() - timedelta(minutes=1)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_in_the_request_changes_the_destination(client, login, member, make_deal, payload):
    deal = make_deal()
    login(client, member)
    expected = deal.url_template.replace("{sub_id}", sub_id(member))
    response = client.get(f"/go/{deal.id}{payload}")
    if response.status_code == 404:
        # Routing refused the path outright: nothing was recorded and nowhere else offered.
        assert "Location" not in response.headers and clicks() == 0
        return
    assert response.status_code == 302, payload
    assert response.headers["Location"] == expected, payload
    assert "evil" not in response.headers["Location"] and "\n" not in response.headers["Location"]
    assert clicks(deal) == 1


def test_one_click_per_request_and_counted_per_deal(client, login, member, pro_member, make_deal):
    first, second = make_deal(), make_deal()
    login(client, member)
    for _ in range(3):
        client.get(f"/go/{first.id}")
    login(client, pro_member)
    client.get(f"/go/{first.id}")
    client.get(f"/go/{second.id}")
    assert (clicks(first), clicks(second)) == (4, 1)
    assert publishing.click_counts([first.id, second.id]) == {first.id: 4, second.id: 1}


def test_sub_ids_are_stable_per_member_and_differ_between_members(
    client, login, member, pro_member, make_deal
):
    deal = make_deal()
    places = {}
    for user in (member, pro_member):
        login(client, user)
        seen = {
            parse_qs(urlsplit(client.get(f"/go/{deal.id}").headers["Location"]).query)[
                "subUnionId"
            ][0]
            for _ in range(2)
        }
        assert len(seen) == 1
        places[user.id] = seen.pop()
    assert places[member.id] != places[pro_member.id]
    for user in (member, pro_member):
        value = places[user.id]
        assert str(user.id) != value and user.email.split("@")[0] not in value


def test_visitors_sign_in_and_free_users_go_to_pricing(client, login, free_user, make_deal):
    deal = make_deal()
    response = client.get(f"/go/{deal.id}?next=https://evil.example")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/account/login?next=/go/" + str(deal.id)
    login(client, free_user)
    response = client.get(f"/go/{deal.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/pricing"
    assert clicks() == 0


def test_ended_deals_answer_410_with_their_page_and_unknown_404(
    client, login, member, operator, make_deal, hours
):
    expired = make_deal(starts_at=hours(-48), expires_at=hours(-1))
    retired = make_deal()
    publishing.retire(operator, retired)
    scheduled = make_deal(starts_at=hours(24))
    draft = make_deal(status="draft")
    db.session.commit()
    login(client, member)
    for deal, words in ((expired, "This deal has ended."), (retired, "This deal was withdrawn.")):
        response = client.get(f"/go/{deal.id}", headers={"Accept-Language": "en"})
        assert response.status_code == 410
        assert words in response.get_data(as_text=True)
    assert client.get(f"/go/{scheduled.id}").status_code == 410
    assert client.get(f"/go/{draft.id}").status_code == 404
    assert client.get("/go/999999").status_code == 404
    assert client.get("/go/99999999999").status_code == 404
    assert clicks() == 0


def test_a_member_without_the_binding_is_told_how_to_get_it(
    client, login, member, taobao_member, operator, make_deal
):
    by_relation = make_deal(
        platform="taobao", url="https://uland.taobao.com/x?itemId=1&relationId={relation_id}"
    )
    by_adzone = make_deal(
        platform="tmall", url="https://s.click.taobao.com/t?id=2&pid=mm_1_2_{adzone_id}"
    )
    login(client, member)
    response = client.get(f"/go/{by_relation.id}", headers={"Accept-Language": "en"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "relation ID" in page and "/rebates#ids" in page and "uland.taobao.com" not in page
    login(client, taobao_member)
    response = client.get(f"/go/{by_relation.id}")
    assert response.headers["Location"].endswith("relationId=2876543210")
    assert client.get(f"/go/{by_adzone.id}").status_code == 409
    assign_adzone(operator, taobao_member, "123456789")
    db.session.commit()
    response = client.get(f"/go/{by_adzone.id}")
    assert response.headers["Location"].endswith("pid=mm_1_2_123456789")
    assert clicks() == 2
