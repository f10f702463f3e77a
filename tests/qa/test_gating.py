"""The paywall: answers, comments and full bodies never reach visitors or free users."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.clock import utcnow
from community.extensions import db
from community.feeds import services as feeds
from community.qa.services import answers, curation
from tests.conftest import grant_period

SECRET_ANSWER = "会员专享回答内容ANSWERSECRET"
SECRET_COMMENT = "会员专享评论COMMENTSECRET"
SECRET_TAIL = "正文后半部分BODYSECRET"


@pytest.fixture
def gated(make_user, make_question, make_answer, operator):
    asker = make_user(tier="member")
    body = "开头的公开摘要。" + "详" * 200 + SECRET_TAIL
    question = make_question(author=asker, title="会员问题：信用卡年费", body=body)
    answer = make_answer(question, body=SECRET_ANSWER)
    answers.add_comment(asker, question, SECRET_COMMENT, answer)
    duplicate = make_question(title="重复的问题：信用卡年费")
    make_answer(duplicate, body=SECRET_ANSWER + "2")
    curation.merge_duplicate(operator, duplicate, question)
    db.session.commit()
    return question, answer, duplicate


def urls_for(question, answer, duplicate) -> list[str]:
    return [
        "/qa/",
        "/qa/unanswered",
        "/qa/featured",
        "/qa/hot",
        "/qa/tags/",
        "/qa/tags/信用卡",
        f"/qa/{question.id}",
        f"/qa/{question.id}.json",
        f"/qa/{duplicate.id}",
        f"/qa/{question.id}?preview=member",
        "/",
    ]


def assert_no_secrets(text: str, where: str) -> None:
    for secret in (SECRET_ANSWER, SECRET_COMMENT, SECRET_TAIL):
        assert secret not in text, f"{secret} leaked in {where}"


@pytest.mark.parametrize("who", ["visitor", "free"])
def test_no_member_text_on_any_route(client, login, free_user, gated, who):
    question, answer, duplicate = gated
    if who == "free":
        login(client, free_user)
    for url in urls_for(question, answer, duplicate):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert_no_secrets(response.get_data(as_text=True), url)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert "开头的公开摘要" in page
    assert 'data-testid="join-call"' in page
    assert "¥199" in page and "¥499" in page
    assert f'content="{question.teaser}"' in page


@pytest.mark.parametrize("who", ["visitor", "free"])
def test_member_pages_and_actions_are_refused(client, login, free_user, gated, who):
    question, answer, _duplicate = gated
    if who == "free":
        login(client, free_user)
    for url in (
        f"/qa/{question.id}/edit",
        f"/qa/answers/{answer.id}/edit",
        f"/qa/{question.id}/revisions",
        f"/qa/answers/{answer.id}/revisions",
        "/qa/review",
        "/qa/experts/queue",
        "/qa/ask",
        f"/qa/{question.id}/flag",
        f"/qa/{question.id}/answers/{answer.id}/flag",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert_no_secrets(response.get_data(as_text=True), url)


def test_public_questions_are_read_in_full_by_visitors(client, operator, gated):
    question, _answer, _duplicate = gated
    curation.set_flag(operator, question, "make_public")
    db.session.commit()
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert SECRET_ANSWER in page and SECRET_TAIL in page
    assert 'data-testid="join-call"' not in page


def test_members_read_everything(client, login, member, gated):
    question, _answer, _duplicate = gated
    login(client, member)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    for secret in (SECRET_ANSWER, SECRET_COMMENT, SECRET_TAIL):
        assert secret in page
    data = client.get(f"/qa/{question.id}.json").get_json()
    assert data["readable"] and SECRET_ANSWER in data["answers"][0]["body_html"]


def test_lapsed_members_lose_their_feeds(client, make_user, gated):
    question, _answer, _duplicate = gated
    lapsed = make_user()
    grant_period(lapsed, "member", 10, start=utcnow() - timedelta(days=30))
    token = feeds.rotate_token(lapsed)
    db.session.commit()
    url = f"/feeds/{feeds.url_token(token)}/qa-newest.atom"
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("mode", ["visitor", "free"])
def test_operators_preview_as_visitor_or_free_user(client, login, operator, gated, mode):
    question, _answer, _duplicate = gated
    login(client, operator)
    page = client.get(f"/qa/{question.id}?preview={mode}").get_data(as_text=True)
    assert_no_secrets(page, mode)
    assert 'data-testid="join-call"' in page
    assert 'data-testid="curation"' not in page
    full = client.get(f"/qa/{question.id}?preview=member").get_data(as_text=True)
    assert SECRET_ANSWER in full


def test_previews_are_only_for_operators(client, login, free_user, member, gated):
    question, _answer, _duplicate = gated
    login(client, free_user)
    page = client.get(f"/qa/{question.id}?preview=member").get_data(as_text=True)
    assert SECRET_ANSWER not in page
    login(client, member)
    page = client.get(f"/qa/{question.id}?preview=visitor").get_data(as_text=True)
    assert SECRET_ANSWER in page


def test_operators_preview_lists_and_visitors_see_the_join_banner(client, login, operator, gated):
    assert 'data-testid="join-banner"' in client.get("/qa/").get_data(as_text=True)
    login(client, operator)
    page = client.get("/qa/").get_data(as_text=True)
    assert 'data-testid="preview-bar"' in page and 'data-testid="join-banner"' not in page
    preview = client.get("/qa/?preview=free").get_data(as_text=True)
    assert 'data-testid="join-banner"' in preview
