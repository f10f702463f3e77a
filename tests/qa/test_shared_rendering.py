"""Shared renderings of Q&A pages: one per question version, filled per viewer, never stale."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest

from community.clock import utcnow
from community.extensions import db
from community.feeds import services as feeds
from community.membership.models import Tier
from community.qa.pages import question as question_rendering
from community.qa.services import answers, curation, experts, notifications, votes
from tests.conftest import grant_period
from tests.helpers import csrf_from, zh
from tests.qa.rendering_helpers import CHANGES, TOKEN_RE, page, shared_entries, version_of


def test_members_share_one_rendering_each_with_their_own_votes_and_token(
    app, client, login, make_user, make_question, make_answer, reader
):
    question = make_question()
    answer = make_answer(question)
    voter = make_user(tier="member")
    votes.cast_vote(voter, answer, "up")
    votes.follow_question(voter, question)
    db.session.commit()
    login(client, voter)
    other_client, _other = reader

    mine, theirs = page(client, question), page(other_client, question)

    assert shared_entries(app) == 1
    assert 'value="clear" class="vote on"' in mine
    assert "vote on" not in theirs
    assert "取消关注" in mine and "取消关注" not in theirs
    my_tokens, their_tokens = set(TOKEN_RE.findall(mine)), set(TOKEN_RE.findall(theirs))
    assert len(my_tokens) == 1 and len(their_tokens) == 1 and my_tokens != their_tokens
    assert "\x00" not in mine + theirs
    # The filled-in token is the reader's own and works.
    response = other_client.post(
        f"/qa/answers/{answer.id}/vote",
        data={"csrf_token": their_tokens.pop(), "value": "up"},
    )
    assert response.status_code == 302


def test_the_asker_and_answerers_get_their_own_controls(
    app, client, login, make_question, make_answer, reader
):
    question = make_question()
    answer = make_answer(question)
    other_client, _ = reader
    assert "/edit" not in page(other_client, question)
    login(client, answer.author)
    as_answerer = page(client, question)
    assert f"/qa/answers/{answer.id}/edit" in as_answerer
    login(client, question.author)
    as_asker = page(client, question)
    assert f"/qa/answers/{answer.id}/accept" in as_asker
    assert f"/qa/{question.id}/edit" in as_asker


def test_an_operator_gets_curation_not_the_shared_page(
    app, client, login, operator, make_question, reader
):
    question = make_question()
    page(reader[0], question)
    login(client, operator)
    assert 'data-testid="curation"' in page(client, question)
    assert 'data-testid="curation"' not in page(reader[0], question)


SEEN = {
    "answer": "新的回答：先打电话问客服。",
    "comment": "新的评论：我也想知道。",
    "edit": "改过的标题：年费怎么免",
    "vote": '<span class="score" data-testid="score">1</span>',
    "feature": 'data-testid="featured-badge"',
    "close": "已经说清楚了",
    "rename author": "改名后的提问者",
    "rename tag": "改名标签",
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_retires_the_shared_rendering(
    app, make_user, operator, make_question, reader, change
):
    question = make_question(tags="信用卡")
    other_client, _ = reader
    before = page(other_client, question)
    assert SEEN[change] not in before
    version = version_of(question)
    CHANGES[change](question, make_user(tier="member"), operator)
    db.session.commit()
    assert version_of(question) != version
    assert SEEN[change] in page(other_client, question)


def test_accepting_an_answer_shows_to_readers_at_once(
    app, client, login, make_question, make_answer, reader
):
    question = make_question()
    answer = make_answer(question)
    page(reader[0], question)
    answers.accept_answer(question.author, answer)
    db.session.commit()
    assert 'data-testid="accepted-badge"' in page(reader[0], question)


def test_merging_moves_answers_and_the_old_page_redirects(
    app, operator, make_question, make_answer, reader
):
    source, target = make_question(), make_question()
    moved = make_answer(source, body="被合并过来的回答。")
    other_client, _ = reader
    page(other_client, source)
    assert "被合并过来的回答。" not in page(other_client, target)
    curation.merge_duplicate(operator, source, target)
    db.session.commit()
    assert other_client.get(f"/qa/{source.id}").status_code == 301
    assert moved.body in page(other_client, target)


def test_another_worker_serves_the_rendering_from_the_shared_file(
    app, app_config, make_app, login, make_question, reader, monkeypatch
):
    question = make_question()
    first = page(reader[0], question)
    second_worker = make_app(app_config)
    second_client = second_worker.test_client()
    login(second_client, reader[1])

    def refuse(_question):
        raise AssertionError("the second worker rendered the page again")

    monkeypatch.setattr(question_rendering, "build_shared_question", refuse)
    second = page(second_client, question)
    strip = lambda html: TOKEN_RE.sub("", html)  # noqa: E731
    assert strip(first) == strip(second)


def test_caching_off_renders_every_time(app_config, make_app, login, make_question, make_user):
    app = make_app({**app_config, "QA_FRAGMENT_CACHE_SIZE": 0})
    with app.app_context():
        db.session.remove()
    client = app.test_client()
    login(client, make_user(tier="member"))
    question = make_question()
    assert question.title in page(client, question)
    assert app.extensions["renderings"]["caches"] == {}


def test_list_rows_are_shared_and_follow_changes(app, make_question, make_user, reader):
    other_client, _ = reader
    first = make_question(title="第一个列表问题：怎么办")
    assert first.title in other_client.get("/qa/").get_data(as_text=True)
    assert shared_entries(app, "lists") == 1
    later = make_question(title="第二个列表问题：怎么办")
    votes.cast_vote(make_user(tier="member"), first, "up")
    db.session.commit()
    listing = other_client.get("/qa/").get_data(as_text=True)
    assert later.title in listing
    assert re.search(r">1<small>", listing)
    assert csrf_from(other_client.get("/qa/"))


def test_a_shared_page_carries_each_members_own_header(
    app, client, login, make_user, make_question, make_answer
):
    question = make_question()
    make_answer(question)
    alice, bob = make_user(tier="member", name="阿丽丝"), make_user(tier="member", name="鲍勃")
    notifications.notify(alice.id, "answer", question, bob)
    db.session.commit()
    login(client, alice)
    other = app.test_client()
    login(other, bob)
    for_alice, for_bob = page(client, question), page(other, question)
    assert shared_entries(app) == 1
    assert "阿丽丝" in for_alice and "阿丽丝" not in for_bob
    assert "鲍勃" in for_bob and "鲍勃" not in for_alice
    assert f'href="/account/users/{alice.id}"' in for_alice
    assert 'data-testid="unread-count">1<' in for_alice
    assert 'data-testid="unread-count"' not in for_bob
    assert f'name="next" value="/qa/{question.id}"' in for_bob


def test_members_with_pending_messages_or_unconfirmed_email_get_their_own_render(
    app, client, login, make_user, make_question
):
    question = make_question()
    unconfirmed = make_user(tier="member", verified=False)
    login(client, unconfirmed)
    notice = zh(
        "Please confirm your email address: open the link we sent to %(email)s.",
        email=unconfirmed.email,
    )
    assert notice in page(client, question)
    login(client, make_user(tier="member"))
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "刚刚保存好了")]
    assert "刚刚保存好了" in page(client, question)
    assert "刚刚保存好了" not in page(client, question)
    assert shared_entries(app) == 1


def test_list_pages_fill_the_feed_link_tag_follow_and_experts_tab_per_member(
    app, client, login, make_user, make_question, admin
):
    question = make_question(tags="信用卡")
    tag = question.tags[0]
    keen, casual = make_user(tier="member"), make_user(tier="member")
    feeds.rotate_token(keen)
    votes.follow_tag(keen, tag)
    experts.set_expert(admin, keen, True)
    db.session.commit()
    login(client, keen)
    other = app.test_client()
    login(other, casual)
    url = f"/qa/tags/{tag.name}"
    for_keen = client.get(url).get_data(as_text=True)
    for_casual = other.get(url).get_data(as_text=True)
    assert shared_entries(app, "lists") == 1
    assert 'data-testid="feed-link"' in for_keen and 'data-testid="feed-link"' not in for_casual
    assert "取消关注标签" in for_keen and "取消关注标签" not in for_casual
    assert 'href="/qa/experts/queue">专家问题队列' in for_keen
    assert "专家问题队列" not in for_casual
    assert question.title in for_keen and question.title in for_casual
    token = TOKEN_RE.search(for_casual).group(1)
    follow = other.post(f"/qa/tags/{tag.name}/follow", data={"csrf_token": token, "follow": "1"})
    assert follow.status_code == 302
    assert "取消关注标签" in other.get(url).get_data(as_text=True)


def test_visitors_share_a_page_with_the_teaser_no_token_and_current_prices(
    app, make_question, make_answer
):
    question = make_question(body="正文开头。" + "很长的正文。" * 60)
    answer = make_answer(question, body="只有会员能看到的回答内容。")
    first, second = app.test_client(), app.test_client()
    one, two = page(first, question), page(second, question)
    assert shared_entries(app) == 1
    for html in (one, two):
        assert answer.body not in html and "很长的正文。" * 40 not in html
        assert 'data-testid="join-call"' in html
        assert f"/account/login?next=/qa/{question.id}" in html
        assert "\x00" not in html and "%00" not in html
        # A visitor's page has no form, so no token and no session: it is the same for all.
        assert TOKEN_RE.findall(html) == []
    assert one == two
    tier = db.session.scalar(db.select(Tier).where(Tier.slug == "member"))
    tier.annual_price = 25_800
    db.session.commit()
    assert "¥258" in page(first, question)


def test_visitors_of_a_public_question_read_answers_without_member_controls(
    app, make_question, make_answer
):
    question = make_question(public=True)
    answer = make_answer(question, body="公开问题的回答，谁都能看。")
    html = page(app.test_client(), question)
    assert answer.body in html
    assert "vote-form" not in html and "/comments" not in html


def test_visitors_share_list_pages(app, make_question):
    question = make_question(title="给访客看的列表问题：怎么办")
    first, second = app.test_client(), app.test_client()
    one = first.get("/qa/?page=1").get_data(as_text=True)
    two = second.get("/qa/?page=1").get_data(as_text=True)
    assert question.title in one and question.title in two
    assert 'data-testid="join-banner"' in one
    assert shared_entries(app, "lists") == 1
    assert (
        "/account/login?next=/qa/?page%3D1" in one or "/account/login?next=/qa/%3Fpage%3D1" in one
    )


def test_the_tier_held_is_read_afresh_on_every_request(
    app, client, login, make_user, make_question, make_answer
):
    question = make_question()
    answer = make_answer(question, body="会员才能读的回答。")
    reader = make_user()
    login(client, reader)
    assert answer.body not in page(client, question)
    period = grant_period(reader, "member", 30)
    db.session.commit()
    assert answer.body in page(client, question)
    period.revoked_at = utcnow()
    db.session.commit()
    assert answer.body not in page(client, question)
    grant_period(reader, "member", 30, start=utcnow() + timedelta(days=1))
    db.session.commit()
    assert answer.body not in page(client, question)


def test_a_damaged_shared_file_entry_is_rendered_again(
    app, app_config, make_app, login, make_question, reader
):
    question = make_question()
    page(reader[0], question)
    with sqlite3.connect(app.config["QA_FRAGMENT_FILE"]) as connection:
        assert connection.execute("UPDATE fragments SET value = x'00ff'").rowcount == 1
    second_worker = make_app(app_config)
    second_client = second_worker.test_client()
    login(second_client, reader[1])
    assert question.title in page(second_client, question)


def question_head_html(html: str) -> str:
    """The question's title, badges, tags, author line and close notice, as the page shows them."""
    found = re.search(r"<h1>.*?</p>\s*(<p class=\"notice-box\">.*?</p>)?", html, re.S)
    assert found, html[:2000]
    return found.group(0)


def test_a_shared_page_shows_the_question_as_the_askers_own_page_does(
    app, client, login, make_question, reader
):
    question = make_question(
        tags="信用卡 年费 返利",
        featured=True,
        pinned=True,
        expert_requested=True,
        status="closed",
        close_reason="已有更好的回答 <b>见精华</b>",
    )
    login(client, question.author)
    reader_client, _reader = reader

    own, shared = page(client, question), page(reader_client, question)

    assert shared_entries(app) == 1
    head = question_head_html(shared)
    assert head == question_head_html(own)
    for text in ("精华", "置顶", "已关闭", question.author.name, "见精华", "&lt;b&gt;"):
        assert text in head
    assert re.findall(r'class="tag"[^>]*>([^<]+)<', head) == ["信用卡", "年费", "返利"]
