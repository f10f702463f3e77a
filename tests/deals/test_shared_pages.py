"""The feed and deal pages served from shared renderings: each member still sees their own vote,
rebate and header; any write a page shows, and any deal starting or ending, retires them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.clock import utcnow
from community.deals import versions
from community.extensions import db
from tests.helpers import csrf_from


@pytest.fixture
def make_client(app):
    """Another browser: a client with its own cookies."""
    return app.test_client


def card(page: str, deal_id: int) -> str:
    return page.split(f'data-deal="{deal_id}"')[1].split("</article>")[0]


def test_a_vote_reaches_every_members_shared_feed_and_each_sees_only_their_own_vote(
    make_client, login, make_user, make_deal
):
    deal = make_deal(title="共享好价")
    first, second = make_user(tier="member"), make_user(tier="member")
    one, two = make_client(), make_client()
    login(one, first)
    login(two, second)
    before = card(two.get("/deals/").get_data(as_text=True), deal.id)
    page = one.get(f"/deals/{deal.id}")
    voted = one.post(
        f"/deals/{deal.id}/vote", data={"csrf_token": csrf_from(page), "vote": "worth"}
    )
    assert voted.status_code == 303
    after = card(two.get("/deals/").get_data(as_text=True), deal.id)
    assert after != before and 'data-testid="worth"' in after
    mine = one.get(f"/deals/{deal.id}").get_data(as_text=True)
    theirs = two.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert 'data-testid="vote-worth" aria-pressed="true"' in mine
    assert "aria-pressed" not in theirs
    # Each header names its own member; the tokens are each session's own.
    assert first.name in mine and first.name not in theirs and second.name in theirs
    assert csrf_from(one.get(f"/deals/{deal.id}")) != csrf_from(two.get(f"/deals/{deal.id}"))


def test_each_tier_sees_its_own_rebate_from_the_shared_feed(
    make_client, login, make_user, make_deal
):
    deal = make_deal()
    rebates = {}
    for tier in ("member", "pro"):
        client = make_client()
        login(client, make_user(tier=tier))
        for _ in range(2):
            text = card(client.get("/deals/").get_data(as_text=True), deal.id)
        rebates[tier] = text.split('data-testid="rebate">')[1].split("<")[0]
    assert rebates["member"] != rebates["pro"]


def test_a_deal_leaves_the_shared_feed_when_it_ends_without_any_write(
    client, login, member, make_deal, hours, monkeypatch
):
    ending = make_deal(title="一小时后结束", expires_at=hours(1))
    staying = make_deal(title="一直有效")
    login(client, member)
    for _ in range(2):
        page = client.get("/deals/").get_data(as_text=True)
        assert ending.title in page and staying.title in page
    later = utcnow() + timedelta(hours=2)
    monkeypatch.setattr("community.deals.views.utcnow", lambda: later)
    page = client.get("/deals/").get_data(as_text=True)
    assert ending.title not in page and staying.title in page


def test_every_write_a_page_shows_changes_the_version(app, make_deal, member, operator):
    from community.deals import discussion, publishing, services

    def moved(change) -> bool:
        before = versions.stamp(utcnow())[0]
        change()
        db.session.commit()
        return versions.stamp(utcnow())[0] != before

    deal = make_deal()
    assert moved(lambda: make_deal())
    assert moved(lambda: services.vote(member, deal, True))
    assert moved(lambda: services.vote(member, deal, False))
    assert moved(lambda: discussion.add_comment(member, deal, "值得买"))
    assert moved(lambda: publishing.retire(operator, deal))
    assert not moved(lambda: None)


def test_a_comment_author_gets_their_delete_button_and_others_do_not(
    make_client, login, make_user, make_deal
):
    deal = make_deal()
    author, reader = make_user(tier="member"), make_user(tier="member")
    mine, theirs = make_client(), make_client()
    login(mine, author)
    login(theirs, reader)
    page = mine.get(f"/deals/{deal.id}")
    mine.post(f"/deals/{deal.id}/comments", data={"csrf_token": csrf_from(page), "body": "好价"})
    for _ in range(2):
        their_page = theirs.get(f"/deals/{deal.id}").get_data(as_text=True)
        my_page = mine.get(f"/deals/{deal.id}").get_data(as_text=True)
    assert "好价" in their_page and "/delete" not in their_page
    assert "/delete" in my_page
