"""A member's home shows the newest live deals with prices; nobody else's home shows any."""

from __future__ import annotations

from tests.deals.conftest import SECRET_COUPON


def test_a_members_home_shows_live_deals_with_their_prices(client, login, member, make_deal, hours):
    live = make_deal(title="索尼耳机 HOMELIVE")
    make_deal(title="过期好价 HOMEEXPIRED", expires_at=hours(-1), starts_at=hours(-48))
    login(client, member)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-deals"' in page
    assert "HOMELIVE" in page and f"/deals/{live.id}" in page and "¥189" in page
    assert "HOMEEXPIRED" not in page


def test_a_free_users_home_shows_no_deal_money(client, login, free_user, make_deal):
    make_deal(title="索尼耳机 HOMELIVE")
    login(client, free_user)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="home-deals"' not in page
    assert "HOMELIVE" not in page and "¥189" not in page and SECRET_COUPON not in page
