"""Account pages through the test client: sign-up, verification, sign-in, reset, settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from community.accounts.models import User
from community.clock import utcnow
from community.extensions import db
from tests.accounts.view_helpers import (
    NEW_PASSWORD,
    login_form,
    register,
    signed_in_user,
)
from tests.conftest import PASSWORD
from tests.helpers import csrf_from, link_in, path_of, post_form, zh


class TestRegister:
    def test_sign_up_sends_verification_and_signs_in(self, client, outbox):
        response = register(client)
        assert response.status_code == 302
        user = db.session.query(User).filter_by(email="new@example.com").one()
        assert user.email_verified_at is None
        assert signed_in_user(client)["email"] == "new@example.com"
        [message] = outbox()
        assert message["To"] == "new@example.com"
        link = link_in(message)
        assert "/account/verify/" in link
        assert client.get(path_of(link)).status_code == 302
        db.session.expire_all()
        assert user.email_verified_at is not None
        # The link is single-use.
        reused = client.get(path_of(link))
        assert reused.status_code == 410
        assert zh("This link has already been used.") in reused.get_data(as_text=True)

    def test_duplicate_email(self, client, make_user):
        make_user(email="taken@example.com")
        response = register(client, email="Taken@Example.com")
        assert response.status_code == 400
        assert zh("An account with this email already exists.") in response.get_data(as_text=True)
        assert db.session.query(User).count() == 1

    def test_malformed_email(self, client):
        response = register(client, email="not-an-email")
        assert response.status_code == 400
        assert zh("This is not a valid email address.") in response.get_data(as_text=True)
        assert db.session.query(User).count() == 0

    def test_weak_password(self, client):
        response = register(client, password="12345678")
        assert response.status_code == 400
        assert zh(
            "This password is one of the most common ones; choose another."
        ) in response.get_data(as_text=True)
        assert db.session.query(User).count() == 0

    def test_missing_csrf_token(self, client):
        response = client.post(
            "/account/register",
            data={"email": "x@example.com", "name": "某人", "password": PASSWORD},
        )
        assert response.status_code == 400
        assert zh(
            "The form has expired or was not sent from this site. "
            "Please reload the page and try again."
        ) in (response.get_data(as_text=True))
        assert db.session.query(User).count() == 0

    def test_oversized_body(self, client, app):
        token = csrf_from(client.get("/account/register"))
        big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        response = client.post(
            "/account/register", data={"csrf_token": token, "email": "a@example.com", "name": big}
        )
        assert response.status_code == 413
        assert zh("What you sent is too large") in response.get_data(as_text=True)
        assert db.session.query(User).count() == 0


class TestLogin:
    def test_login_and_logout(self, client, member):
        response = login_form(client, member.email, PASSWORD)
        assert response.status_code == 302
        assert signed_in_user(client)["id"] == member.id
        token = csrf_from(client.get("/"))
        assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
        assert signed_in_user(client)["id"] is None

    def test_wrong_password(self, client, member):
        response = login_form(client, member.email, "wrong password")
        assert response.status_code == 400
        assert zh("The email or password is wrong.") in response.get_data(as_text=True)
        assert signed_in_user(client)["id"] is None

    def test_remember_me_sets_a_lasting_cookie(self, client, member):
        login_form(client, member.email, PASSWORD, remember="y")
        cookie = client.get_cookie("remember_token")
        assert cookie is not None and cookie.http_only

    def test_next_goes_to_local_paths_only(self, client, member):
        page = client.get("/account/login?next=/account/settings")
        token = csrf_from(page)
        response = client.post(
            "/account/login",
            data={
                "csrf_token": token,
                "email": member.email,
                "password": PASSWORD,
                "next": "/account/settings",
            },
        )
        assert response.headers["Location"] == "/account/settings"

    @pytest.mark.parametrize(
        "target",
        [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "evil.example",
        ],
    )
    def test_foreign_next_is_ignored(self, client, member, target):
        token = csrf_from(client.get("/account/login"))
        response = client.post(
            "/account/login",
            data={"csrf_token": token, "email": member.email, "password": PASSWORD, "next": target},
        )
        assert response.status_code == 302
        assert response.headers["Location"] == "/"

    def test_password_change_ends_other_sessions(self, client, app, member, login):
        other = app.test_client()
        login(other, member)
        login(client, member)
        response = post_form(
            client,
            "/account/settings/password",
            {"current_password": PASSWORD, "password": NEW_PASSWORD},
            page="/account/settings",
        )
        assert response.status_code == 302
        assert signed_in_user(client)["id"] == member.id
        assert signed_in_user(other)["id"] is None


class TestSessionsEnd:
    def test_a_session_cookie_copied_before_logout_is_dead_after_it(self, app, client, member):
        assert login_form(client, member.email, PASSWORD, remember="y").status_code == 302
        copied = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
        thief = app.test_client()
        thief.set_cookie("session", copied["session"])
        assert signed_in_user(thief)["id"] == member.id
        token = csrf_from(client.get("/"))
        assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
        for name, value in copied.items():
            replay = app.test_client()
            replay.set_cookie(name, value)
            assert signed_in_user(replay)["id"] is None, name

    def test_logout_ends_only_its_own_sign_in(self, app, client, member):
        other = app.test_client()
        assert login_form(other, member.email, PASSWORD).status_code == 302
        assert login_form(client, member.email, PASSWORD).status_code == 302
        client.post("/account/logout", data={"csrf_token": csrf_from(client.get("/"))})
        assert signed_in_user(client)["id"] is None
        assert signed_in_user(other)["id"] == member.id

    def test_a_csrf_token_from_before_sign_in_does_not_work_after(self, client, member):
        before = csrf_from(client.get("/account/login"))
        response = client.post(
            "/account/login",
            data={"csrf_token": before, "email": member.email, "password": PASSWORD},
        )
        assert response.status_code == 302
        stale = client.post(
            "/account/settings/profile",
            data={"csrf_token": before, "name": "改名的人", "locale": ""},
        )
        assert stale.status_code == 400
        db.session.expire_all()
        assert member.name == "会员小李"
        fresh = post_form(
            client,
            "/account/settings/profile",
            {"name": "改名的人", "locale": ""},
            page="/account/settings",
        )
        assert fresh.status_code == 302

    def test_sign_up_gets_a_new_csrf_secret_too(self, client):
        before = csrf_from(client.get("/account/register"))
        data = {"email": "new@example.com", "name": "新同学", "password": PASSWORD}
        assert (
            client.post("/account/register", data={"csrf_token": before, **data}).status_code == 302
        )
        stale = client.post("/account/logout", data={"csrf_token": before})
        assert stale.status_code == 400


class TestPasswordReset:
    def request_reset(self, client, email):
        return post_form(client, "/account/forgot", {"email": email})

    def test_reset_flow(self, client, member, outbox):
        response = self.request_reset(client, member.email.upper())
        assert response.status_code == 302
        link = path_of(link_in(outbox()[-1]))
        assert client.get(link).status_code == 200
        response = post_form(client, link, {"password": NEW_PASSWORD})
        assert response.status_code == 302
        assert login_form(client, member.email, PASSWORD).status_code == 400
        assert login_form(client, member.email, NEW_PASSWORD).status_code == 302
        reused = client.get(link)
        assert reused.status_code == 410
        assert zh("This link has already been used.") in reused.get_data(as_text=True)

    def test_unknown_email_gets_the_same_answer_and_no_mail(self, client, outbox):
        response = self.request_reset(client, "nobody@example.com")
        assert response.status_code == 302
        assert outbox() == []

    def test_expired_link(self, client, member, outbox, app):
        self.request_reset(client, member.email)
        link = path_of(link_in(outbox()[-1]))
        later = utcnow() + timedelta(hours=app.config["RESET_TOKEN_HOURS"], seconds=5)
        with time_machine.travel(later, tick=False):
            response = client.get(link)
        assert response.status_code == 410
        assert zh("This link has expired. Ask for a new one.") in response.get_data(as_text=True)

    def test_weak_new_password_is_refused_and_link_still_works(self, client, member, outbox):
        self.request_reset(client, member.email)
        link = path_of(link_in(outbox()[-1]))
        assert post_form(client, link, {"password": "123456"}).status_code == 400
        assert post_form(client, link, {"password": NEW_PASSWORD}).status_code == 302

    def test_unknown_link(self, client):
        assert client.get("/account/reset/not-a-real-token").status_code == 404

    def test_the_reset_page_says_what_a_reset_ends(self, client, member, outbox):
        self.request_reset(client, member.email)
        page = client.get(path_of(link_in(outbox()[-1]))).get_data(as_text=True)
        assert (
            zh(
                "Saving a new password signs this account out everywhere, revokes its API tokens "
                "and ends its private feed links. Sign in again with the new password; new feed "
                "links and tokens can be made on your settings pages."
            )
            in page
        )

    def test_a_reset_ends_api_tokens_and_feed_links(self, app, client, member, login, outbox):
        from community.accounts import tokens
        from community.feeds import services as feeds

        _token, raw = tokens.create_api_token(member, "脚本")
        feed_url = f"/feeds/{feeds.url_token(feeds.rotate_token(member))}/qa-newest.atom"
        db.session.commit()
        bearer = {"Authorization": f"Bearer {raw}"}
        assert app.test_client().get("/api/v1/me", headers=bearer).get_json()["id"] == member.id
        assert app.test_client().get(feed_url).status_code == 200
        self.request_reset(client, member.email)
        assert (
            post_form(
                client, path_of(link_in(outbox()[-1])), {"password": NEW_PASSWORD}
            ).status_code
            == 302
        )
        assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
        assert app.test_client().get(feed_url).status_code == 404


class TestSettings:
    def test_requires_login(self, client):
        response = client.get("/account/settings")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")

    def test_change_email_needs_confirmation(self, client, member, outbox, login):
        login(client, member)
        response = post_form(
            client,
            "/account/settings/email",
            {"email": "new-address@example.com", "current_password": PASSWORD},
            page="/account/settings",
        )
        assert response.status_code == 302
        db.session.expire_all()
        assert member.email == "member@example.com"
        message = outbox()[-1]
        assert message["To"] == "new-address@example.com"
        assert client.get(path_of(link_in(message))).status_code == 302
        db.session.expire_all()
        assert member.email == "new-address@example.com"

    def test_profile_update_and_bad_name(self, client, member, login):
        login(client, member)
        ok = post_form(
            client,
            "/account/settings/profile",
            {"name": "新名字", "locale": "en"},
            page="/account/settings",
        )
        assert ok.status_code == 302
        db.session.expire_all()
        assert (member.name, member.locale) == ("新名字", "en")
        bad = post_form(
            client,
            "/account/settings/profile",
            {"name": "x", "locale": ""},
            page="/account/settings",
        )
        assert bad.status_code == 400

    def test_profile_page_is_public(self, client, member):
        response = client.get(f"/account/users/{member.id}")
        assert response.status_code == 200
        assert member.name in response.get_data(as_text=True)
        assert client.get("/account/users/999999").status_code == 404


def test_sign_up_remembers_the_language_it_was_made_in(client):
    client.get("/", headers={"Accept-Language": "en"})
    post_form(
        client,
        "/account/register",
        {"email": "en@example.com", "name": "Reader", "password": PASSWORD},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert db.session.query(User).filter_by(email="en@example.com").one().locale == "en"
    register(client.application.test_client())
    assert db.session.query(User).filter_by(email="new@example.com").one().locale == "zh_CN"
