"""Visitors at the edge: no session, `public` with an ETag; forms still protected; personal
pages still private."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.services import questions
from tests.conftest import PASSWORD
from tests.helpers import csrf_from

PERSONAL = "private, no-store"


@pytest.fixture
def questions_asked(member):
    public = questions.ask_question(member, "信用卡年费怎么免？", "正文内容，够长的描述。", "年费")
    public.public = True
    members_only = questions.ask_question(
        member, "返利什么时候到账？", "正文内容，够长的描述。", "返利"
    )
    db.session.commit()
    return public, members_only


def visitor_paths(questions_asked) -> list[str]:
    public, members_only = questions_asked
    return [
        "/",
        "/qa/",
        f"/qa/{public.id}",
        f"/qa/{members_only.id}",
        f"/qa/{public.id}.json",
        "/qa/tags/年费",
        "/pricing",
        "/search?q=年费",
        "/api/v1/search?q=年费",
    ]


def test_visitors_pages_are_public_without_a_session(app, questions_asked):
    app.config["PUBLIC_CACHE_SECONDS"] = 120
    for path in visitor_paths(questions_asked):
        # Twice: the second answer comes from the shared renderings.
        for _round in range(2):
            client = app.test_client()
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=120", path
            assert "Set-Cookie" not in response.headers, path
            assert "cookie" not in response.headers.get("Vary", "").lower(), path
            assert "Accept-Language" in response.headers["Vary"], path
            assert response.headers["ETag"], path


def test_a_matching_etag_answers_304_and_a_changed_page_does_not(app, questions_asked, member):
    public, _members_only = questions_asked
    client = app.test_client()
    first = client.get(f"/qa/{public.id}")
    etag = first.headers["ETag"]
    again = app.test_client().get(f"/qa/{public.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    questions.edit_question(
        member, public, "信用卡年费怎么免？", "改过的正文，够长的描述。", "年费"
    )
    db.session.commit()
    changed = app.test_client().get(f"/qa/{public.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    head = app.test_client().head(f"/qa/{public.id}")
    assert head.status_code == 200
    assert head.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"


@pytest.mark.parametrize("path", ["/account/login", "/account/register", "/account/forgot"])
def test_a_page_with_a_form_makes_the_session_and_is_never_public(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == PERSONAL
    assert "session=" in response.headers["Set-Cookie"]
    assert "Cookie" in response.headers["Vary"]
    assert "ETag" not in response.headers


def test_sign_in_still_needs_the_token_the_form_carried(client, member):
    without = client.post("/account/login", data={"email": member.email, "password": PASSWORD})
    assert without.status_code == 400
    token = csrf_from(client.get("/account/login"))
    signed_in = client.post(
        "/account/login", data={"csrf_token": token, "email": member.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    home = client.get("/")
    assert home.headers["Cache-Control"] == PERSONAL and "ETag" not in home.headers


def test_registration_still_needs_the_token(client, outbox):
    form = {"email": "new@example.com", "name": "新人", "password": PASSWORD, "confirm": PASSWORD}
    assert client.post("/account/register", data=form).status_code == 400
    token = csrf_from(client.get("/account/register"))
    response = client.post("/account/register", data={"csrf_token": token, **form})
    assert response.status_code == 302
    assert outbox()


def test_a_visitor_with_a_cookie_gets_no_public_page(client, questions_asked):
    client.set_cookie("lang", "en")
    response = client.get("/qa/")
    assert response.status_code == 200
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "ETag" not in response.headers


def test_personal_pages_never_become_public(client, login, member, questions_asked):
    login(client, member)
    for path in visitor_paths(questions_asked):
        response = client.get(path)
        assert response.headers["Cache-Control"] == PERSONAL, path
        assert "ETag" not in response.headers, path


def test_visitors_switch_language_without_a_token(client):
    response = client.post("/language", data={"lang": "en", "next": "/qa/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/qa/")
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "session=" not in response.headers["Set-Cookie"]


def test_a_signed_in_language_choice_needs_the_token(client, login, member):
    login(client, member)
    refused = client.post("/language", data={"lang": "en"})
    assert refused.status_code == 400
    db.session.refresh(member)
    assert member.locale != "en"
    token = csrf_from(client.get("/account/settings"))
    saved = client.post("/language", data={"lang": "en", "csrf_token": token})
    assert saved.status_code == 302
    db.session.refresh(member)
    assert member.locale == "en"
