"""The member's private Atom feed of deals, read as a feed reader reads it (feedparser)."""

from __future__ import annotations

from datetime import timedelta

import feedparser

from community.clock import utcnow
from community.deals import alerts
from community.extensions import db
from community.feeds import services as feeds
from community.membership.models import MembershipPeriod
from tests.deals.conftest import SECRET_CODE, SECRET_COUPON
from tests.helpers import path_of


def feed_path(user, name: str = "deals", **args) -> str:
    if feeds.active_token(user) is None:
        feeds.rotate_token(user)
    db.session.commit()
    return path_of(feeds.feed_url_for(user, name, **args))


def read_feed(client, path: str):
    answer = client.get(path)
    assert answer.status_code == 200, answer.status_code
    assert answer.mimetype == "application/atom+xml"
    parsed = feedparser.parse(answer.data)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_a_reader_finds_live_deals_and_not_expired_ones(client, app, member, make_deal, hours):
    with app.test_request_context():
        path = feed_path(member)
    live = make_deal(title="空气炸锅 <好价> & 包邮")
    make_deal(title="过期的好价 EXPIREDTITLE", starts_at=hours(-48), expires_at=hours(-1))
    make_deal(title="还没开始 LATERTITLE", starts_at=hours(5))
    parsed = read_feed(client, path)
    titles = [entry.title for entry in parsed.entries]
    assert titles == ["空气炸锅 <好价> & 包邮"]
    [entry] = parsed.entries
    assert entry.link.endswith(f"/deals/{live.id}")
    assert "¥189" in entry.content[0].value and SECRET_COUPON in entry.content[0].value
    assert f"/go/{live.id}" in entry.content[0].value


def test_an_alerts_feed_holds_what_the_alert_asks_for(client, app, member, mallory, make_deal):
    alert = alerts.save_alert(member, "耳机", None, "", "none")
    db.session.commit()
    make_deal(title="蓝牙耳机 Pro")
    make_deal(title="电饭煲", tags="厨房", category="家电")
    with app.test_request_context():
        path = feed_path(member, "deals-alert", alert=alert.id)
        theirs = feed_path(mallory, "deals-alert", alert=alert.id)
    assert [entry.title for entry in read_feed(client, path).entries] == ["蓝牙耳机 Pro"]
    assert client.get(theirs).status_code == 404


def test_a_lapsed_member_or_a_revoked_token_gets_no_deal(client, app, member, make_deal):
    make_deal(title="好价 SECRETTITLE")
    with app.test_request_context():
        path = feed_path(member)
    assert client.get(path).status_code == 200
    db.session.execute(
        MembershipPeriod.__table__.update()
        .where(MembershipPeriod.user_id == member.id)
        .values(ends_at=utcnow() - timedelta(days=1), starts_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()
    lapsed = client.get(path)
    assert lapsed.status_code == 403
    assert b"SECRETTITLE" not in lapsed.data and SECRET_CODE.encode() not in lapsed.data
    feeds.revoke_tokens(member)
    db.session.commit()
    revoked = client.get(path)
    assert revoked.status_code == 404 and b"SECRETTITLE" not in revoked.data


def test_a_free_users_token_reads_no_deal(client, app, free_user, make_deal):
    make_deal(title="好价 SECRETTITLE")
    feeds.rotate_token(free_user)
    db.session.commit()
    with app.test_request_context():
        # A free user is offered no feed URL; one made by hand from their token still reads none.
        assert feeds.feed_url_for(free_user, "deals") is None
        token = feeds.url_token(feeds.token_key(free_user))
    answer = client.get(f"/feeds/{token}/deals.atom")
    assert answer.status_code == 403
    # The price as any page or feed would write it (a bare "189" can occur in a random token).
    text = answer.get_data(as_text=True)
    assert "SECRETTITLE" not in text
    assert not any(price in text for price in ("¥189", "189.00", "18900"))


def test_the_deals_page_links_the_feed_for_members_only(client, login, member, free_user):
    feeds.rotate_token(member)
    feeds.rotate_token(free_user)
    db.session.commit()
    login(client, member)
    page = client.get("/deals/").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "/deals.atom" in page
    login(client, free_user)
    assert "application/atom+xml" not in client.get("/deals/").get_data(as_text=True)
    client.get("/account/logout")
    with client.session_transaction() as session:
        session.clear()
    assert "application/atom+xml" not in client.get("/deals/").get_data(as_text=True)


def test_the_feed_page_lists_the_deals_feed(client, login, member):
    feeds.rotate_token(member)
    db.session.commit()
    login(client, member)
    page = client.get("/account/feeds").get_data(as_text=True)
    assert "/deals.atom" in page and "/deals-alert.atom" not in page
