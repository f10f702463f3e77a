"""A signed-in reader's home is their feed; visitors keep the landing page."""

from __future__ import annotations

from markupsafe import Markup

from community.extensions import db
from community.home import register_home_section
from community.qa.services import notifications, votes
from tests.helpers import zh


def test_visitors_get_the_landing_page(client):
    page = client.get("/").text
    assert 'id="tiers"' in page
    assert 'data-testid="home-newest"' not in page


def test_a_members_home_is_their_feed(app, client, login, member, make_user, make_question):
    other = make_user(tier="member")
    featured = make_question(author=other, title="精华：信用卡年费怎么免", featured=True)
    newest = make_question(author=other, title="最新：境外消费返现")
    followed = make_question(author=other, title="关注的：里程兑换")
    votes.follow_question(member, followed)
    notifications.notify(member.id, "answer", followed, other)

    db.session.commit()
    login(client, member)
    page = client.get("/").text
    assert 'id="tiers"' not in page
    sections = {
        name: page.index(f'data-testid="home-{name}"')
        for name in ("notifications", "followed", "newest", "featured")
    }
    assert list(sections) == sorted(sections, key=sections.get)
    newest_part = page[sections["newest"] : sections["featured"]]
    assert newest.title in newest_part and featured.title in newest_part
    assert featured.title in page[sections["featured"] :]
    assert followed.title in page[sections["followed"] : sections["newest"]]
    assert zh("New answer to your question") in page[: sections["followed"]]
    assert 'data-testid="home-ask"' in page


def test_a_free_users_home_offers_to_join_and_shows_only_titles(
    client, login, free_user, make_question
):
    question = make_question(body="只有会员能看的正文细节，访客看不到全部。" * 20)
    login(client, free_user)
    page = client.get("/").text
    assert 'data-testid="home-join"' in page
    assert 'data-testid="home-ask"' not in page
    assert question.title in page
    assert question.body not in page


def test_another_domain_adds_a_section_without_home_importing_it(app, client, login, member):
    register_home_section(
        app, "deals-live", 35, lambda user: Markup('<section data-testid="home-deals"></section>')
    )
    register_home_section(app, "nothing", 5, lambda user: None)
    login(client, member)
    page = client.get("/").text
    assert page.index('data-testid="home-newest"') < page.index('data-testid="home-deals"')
