"""A feed reader finds a member's private feed from a page, reads it over HTTP and polls it with
its ETag and date; the feed keeps its id across a new token; free users get no dead links."""

from __future__ import annotations

from html.parser import HTMLParser

import feedparser
import pytest
import requests

from community.accounts import sign_ins
from community.extensions import db
from community.feeds import services as feeds
from community.qa.services import questions
from tests.helpers import zh
from tests.media import pictures
from tests.media.uploads import upload_picture


class FeedLinks(HTMLParser):
    """What a feed reader looks for: `<link rel="alternate" type="application/atom+xml">`."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_head = True

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.in_head = False
        if (
            tag == "link"
            and self.in_head
            and attributes.get("rel") == "alternate"
            and attributes.get("type") == "application/atom+xml"
        ):
            self.found.append(attributes["href"])


def discovered(html: str) -> list[str]:
    parser = FeedLinks()
    parser.feed(html)
    return parser.found


def sign_in_at(client, user, base_url: str) -> None:
    """Sign `user` in on `client` for the host of `base_url` (the live server's)."""
    sign_ins.open_sign_in(user)
    db.session.commit()
    with client.session_transaction(base_url=base_url) as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def member_with_feed(app, client, login, member):
    feeds.rotate_token(member)
    db.session.commit()
    login(client, member)
    return member


def test_a_reader_discovers_reads_and_polls_the_feed(
    app, live_server, client, member_with_feed, make_question
):
    picture = upload_picture(client, pictures.screenshot()).get_json()["url"]
    other = make_question(title="另一个问题：储蓄卡")
    body = f"参考[这个问题](/qa/{other.id})。\n\n![截图]({picture})"
    asked = questions.ask_question(member_with_feed, "信用卡年费怎么免才划算", body, "信用卡")
    db.session.commit()

    browser = app.test_client()
    sign_in_at(browser, member_with_feed, live_server)
    page = browser.get("/qa/", base_url=live_server).get_data(as_text=True)
    [address] = discovered(page)
    assert address.startswith(f"{live_server}/feeds/") and address.endswith("/qa-newest.atom")

    feed = feedparser.parse(address)
    assert feed.status == 200 and not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.id.startswith("tag:127.0.0.1,2026:feeds/qa-newest/")
    assert {(link.rel, link.href) for link in feed.feed.links} >= {
        ("self", address),
        ("alternate", f"{live_server}/qa/"),
    }
    entry = next(entry for entry in feed.entries if entry.title == asked.title)
    content = entry.content[0].value
    assert f'href="{live_server}/qa/{other.id}"' in content
    token = address.split("/feeds/")[1].split("/")[0]
    picture_address = f"{live_server}{picture}?feed={token}"
    assert f'src="{picture_address}"' in content
    assert 'href="/' not in content and 'src="/' not in content
    # The reader has no session: the feed's token lets it fetch the member-only picture.
    fetched = requests.get(picture_address, timeout=10)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/png"
    assert "no-store" in fetched.headers["Cache-Control"]
    assert requests.get(f"{live_server}{picture}", timeout=10).status_code == 404

    by_etag = feedparser.parse(address, etag=feed.etag)
    assert by_etag.status == 304 and not by_etag.entries
    by_date = feedparser.parse(address, modified=feed.modified)
    assert by_date.status == 304

    questions.edit_question(member_with_feed, asked, asked.title, body + "\n\n补充。", "信用卡")
    db.session.commit()
    changed = feedparser.parse(address, etag=feed.etag)
    assert changed.status == 200 and changed.etag != feed.etag

    feeds.rotate_token(member_with_feed)
    db.session.commit()
    [new_address] = discovered(browser.get("/qa/", base_url=live_server).get_data(as_text=True))
    assert new_address != address
    assert feedparser.parse(new_address).feed.id == feed.feed.id
    assert feedparser.parse(address).status == 404
    assert requests.get(picture_address, timeout=10).status_code == 404


def test_tag_pages_and_the_feeds_page_link_their_feeds(
    app, client, member_with_feed, make_question
):
    make_question(tags="信用卡")
    [tag_feed] = discovered(client.get("/qa/tags/信用卡").get_data(as_text=True))
    assert "/qa-tag.atom?tag=" in tag_feed
    listed = discovered(client.get("/account/feeds").get_data(as_text=True))
    # The Q&A's six lists and the deals feed.
    assert len(listed) == 7 and all(address.endswith(".atom") for address in listed)
    assert sum(address.endswith("/deals.atom") for address in listed) == 1


def test_one_members_feed_link_never_reaches_another_member(
    app, client, login, member_with_feed, make_user, make_question
):
    make_question()
    first = discovered(client.get("/qa/").get_data(as_text=True))
    assert len(first) == 1
    other = app.test_client()
    login(other, make_user(tier="member"))
    page = other.get("/qa/").get_data(as_text=True)
    assert discovered(page) == []
    assert first[0].split("/feeds/")[1].split("/")[0] not in page


def test_visitors_and_free_users_are_given_no_feed_urls(app, client, login, free_user):
    assert discovered(client.get("/qa/").get_data(as_text=True)) == []
    feeds.rotate_token(free_user)
    db.session.commit()
    login(client, free_user)
    assert discovered(client.get("/qa/").get_data(as_text=True)) == []
    manage = client.get("/account/feeds").get_data(as_text=True)
    assert discovered(manage) == [] and 'data-testid="feed-url"' not in manage
    assert (
        zh(
            "Private feeds are part of the membership: "
            "members follow every list and tag in their feed reader."
        )
        in manage
    )
