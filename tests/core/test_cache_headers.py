"""Responses that depend on who asks are kept out of shared caches; visitors' pages are not."""

from __future__ import annotations

import pytest

from community.accounts import tokens
from community.extensions import db
from community.feeds import services as feeds
from community.qa.services import questions

PERSONAL = "private, no-store"


@pytest.fixture
def question(member):
    asked = questions.ask_question(member, "信用卡年费怎么免？", "正文内容，够长的描述。", "年费")
    asked.public = True
    db.session.commit()
    return asked


def member_paths(question) -> list[str]:
    return [
        "/",
        "/qa/",
        f"/qa/{question.id}",
        f"/qa/{question.id}.json",
        "/search?q=年费",
        "/account/settings",
        "/account/feeds",
        f"/account/users/{question.author_id}",
        "/billing",
        "/pricing",
        "/qa/notifications",
        "/no-such-page",
    ]


def test_every_response_for_a_signed_in_user_is_private(client, login, mallory, question):
    login(client, mallory)
    for path in member_paths(question):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == PERSONAL, (path, response.status_code)


def test_an_api_token_response_is_private_and_varies_on_authorization(app, member):
    _token, raw = tokens.create_api_token(member, "脚本")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    for path in ("/api/v1/me", "/api/v1/search?q=年费"):
        response = app.test_client().get(path, headers=bearer)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == PERSONAL, path
        assert "Authorization" in response.headers["Vary"], path


def test_a_feed_at_its_token_url_is_private(app, member, question):
    url = f"/feeds/{feeds.url_token(feeds.rotate_token(member))}/qa-newest.atom"
    db.session.commit()
    response = app.test_client().get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PERSONAL


def test_visitors_public_pages_stay_cacheable(client, question):
    for path in ("/", "/qa/", f"/qa/{question.id}", f"/qa/{question.id}.json", "/pricing"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    # What a visitor gets from the API changes once a token is sent, so caches must key on it.
    visitor_api = client.get("/api/v1/me")
    assert "no-store" not in visitor_api.headers.get("Cache-Control", "")
    assert "Authorization" in visitor_api.headers["Vary"]
