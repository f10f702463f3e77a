"""Account pages through the test client: sign-up, verification, sign-in, reset, settings."""

import re
from datetime import timedelta

import pytest
import time_machine

from community.accounts.models import User
from community.clock import utcnow
from community.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import csrf_from, link_in, path_of, post_form, zh

NEW_PASSWORD = "another strong passphrase"


def register(client, **overrides):
    data = {"email": "new@example.com", "name": "新同学", "password": PASSWORD, **overrides}
    return post_form(client, "/account/register", data)


def login_form(client, email, password, **extra):
    return post_form(client, "/account/login", {"email": email, "password": password, **extra})


def client_at(app, address: str):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def signed_in_user(client):
    return client.get("/api/v1/me").get_json()


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


class TestThrottle:
    def test_account_is_throttled_after_repeated_failures(self, client, member, app):
        limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_IP"].split()[0])
        for _ in range(limit):
            assert login_form(client, member.email, "wrong password").status_code == 400
        response = login_form(client, member.email, PASSWORD)
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) > 0
        page = response.get_data(as_text=True)
        assert zh("Too many attempts") in page
        minutes = -(-int(response.headers["Retry-After"]) // 60)
        assert zh("Please try again in %(minutes)d minute(s).", minutes=minutes) in page

    def test_throttle_is_per_account(self, client, member, make_user):
        other = make_user(email="other@example.com")
        for _ in range(5):
            login_form(client, member.email, "wrong password")
        assert login_form(client, other.email, PASSWORD).status_code == 302

    def test_ip_is_throttled_across_accounts(self, client, app, make_user):
        app.config["LOGIN_LIMIT_PER_IP"] = "3 per 10 minutes"
        for n in range(3):
            assert login_form(client, f"guess{n}@example.com", "wrong password").status_code == 400
        assert login_form(client, "guess9@example.com", "wrong password").status_code == 429

    def test_successful_logins_do_not_count(self, app, member):
        for _ in range(7):
            assert login_form(app.test_client(), member.email, PASSWORD).status_code == 302

    @pytest.mark.parametrize(
        "variant",
        [
            "ＭＥＭＢＥＲ@example.com",
            "member@ＥＸＡＭＰＬＥ.com",
            " Member@Example.COM ",
            "ｍｅｍｂｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        ],
    )
    def test_spellings_of_one_address_share_one_count(self, client, member, variant):
        """Authentication folds full-width forms and case, so the count must fold them too."""
        assert login_form(client, variant, PASSWORD).status_code == 302
        client.post("/account/logout", data={"csrf_token": csrf_from(client.get("/"))})
        for _ in range(4):
            assert login_form(client, member.email, "wrong password").status_code == 400
        assert login_form(client, variant, "wrong password").status_code == 400
        assert login_form(client, variant, PASSWORD).status_code == 429
        assert login_form(client, member.email, PASSWORD).status_code == 429

    def test_one_address_cannot_lock_the_owner_out(self, app, member):
        attacker = client_at(app, "203.0.113.9")
        owner = client_at(app, "198.51.100.7")
        for _ in range(5):
            assert login_form(attacker, member.email, "wrong password").status_code == 400
        assert login_form(attacker, member.email, PASSWORD).status_code == 429
        assert login_form(owner, member.email, PASSWORD).status_code == 302

    def test_guesses_from_many_addresses_meet_the_account_limit(self, app, member):
        app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "8 per hour"
        for n in range(8):
            guesser = client_at(app, f"203.0.113.{n + 1}")
            assert login_form(guesser, member.email, "wrong password").status_code == 400
        fresh = client_at(app, "198.51.100.7")
        assert login_form(fresh, member.email, PASSWORD).status_code == 429


class TestSignUpLimit:
    def test_sign_ups_from_one_address_are_limited(self, app, outbox):
        app.config["MAIL_LIMIT_PER_IP"] = "3 per hour"
        for n in range(3):
            client = client_at(app, "203.0.113.9")
            assert register(client, email=f"new{n}@example.com").status_code == 302
        client = client_at(app, "203.0.113.9")
        refused = register(client, email="new9@example.com")
        assert refused.status_code == 429
        assert zh("Too many attempts") in refused.get_data(as_text=True)
        assert len(outbox()) == 3
        assert db.session.query(User).count() == 3
        other = client_at(app, "198.51.100.7")
        assert register(other, email="elsewhere@example.com").status_code == 302

    def test_only_sign_ups_that_mail_count(self, app, client):
        app.config["MAIL_LIMIT_PER_IP"] = "2 per hour"
        for _ in range(4):
            assert register(client, email="not-an-email").status_code == 400
        assert register(client).status_code == 302


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


def send_shown_form(client, shown, keep_inviter: bool = True, **overrides):
    """Send the sign-up form `shown` (a response) as it came, with the inviter choice kept or
    unticked."""
    page = shown.get_data(as_text=True)
    invite = re.search(r'name="invite" type="hidden" value="([^"]*)"', page).group(1)
    data = {"email": "new@example.com", "name": "新同学", "password": PASSWORD, **overrides}
    data.update(csrf_token=csrf_from(shown), invite=invite)
    if keep_inviter:
        data["use_invite"] = "y"
    return client.post("/account/register", data=data)


def sign_up_through_the_form(client, keep_inviter: bool = True, **overrides):
    return send_shown_form(client, client.get("/account/register"), keep_inviter, **overrides)


def newcomer():
    return db.session.query(User).filter_by(email="new@example.com").one()


class TestInvites:
    def test_invite_survives_a_detour(self, client, member):
        client.get(f"/account/invite/{member.invite_code}")
        for path in ("/", "/account/login", f"/account/users/{member.id}"):
            client.get(path)
        assert sign_up_through_the_form(client).status_code == 302
        assert newcomer().inviter_id == member.id

    def test_the_form_shows_the_inviter_and_a_choice_kept_by_default(self, client, member):
        client.get(f"/account/invite/{member.invite_code}")
        page = client.get("/account/register").get_data(as_text=True)
        assert zh("Sign up as the invitee of %(name)s", name=member.name) in page
        assert re.search(r'<input checked id="use_invite" name="use_invite" type="checkbox"', page)

    def test_unticking_the_choice_signs_up_without_an_inviter(self, client, member):
        client.get(f"/account/invite/{member.invite_code}")
        assert sign_up_through_the_form(client, keep_inviter=False).status_code == 302
        assert newcomer().inviter_id is None and newcomer().invited_at is None

    def test_a_post_without_the_shown_choice_binds_nobody(self, client, member):
        """The invite cookie alone, or a bare code in the form, is not a choice the member saw."""
        client.get(f"/account/invite/{member.invite_code}")
        assert client.get_cookie("invite") is not None
        assert register(client).status_code == 302
        assert newcomer().inviter_id is None
        crafted = register(
            client.application.test_client(),
            email="other@example.com",
            invite=member.invite_code,
            use_invite="y",
        )
        assert crafted.status_code == 302
        assert db.session.query(User).filter_by(email="other@example.com").one().inviter_id is None

    def test_a_refused_form_keeps_showing_the_inviter(self, client, member):
        client.get(f"/account/invite/{member.invite_code}")
        refused = sign_up_through_the_form(client, password="123")
        assert refused.status_code == 400
        assert zh("Sign up as the invitee of %(name)s", name=member.name) in refused.get_data(
            as_text=True
        )
        assert send_shown_form(client, refused).status_code == 302
        assert newcomer().inviter_id == member.id

    def test_invite_cookie_lasts_thirty_days(self, client, member, app):
        start = utcnow()
        with time_machine.travel(start, tick=False):
            client.get(f"/account/invite/{member.invite_code}")
        with time_machine.travel(start + timedelta(days=29), tick=False):
            assert client.get_cookie("invite") is not None
        with time_machine.travel(start + timedelta(days=31), tick=False):
            assert sign_up_through_the_form(client).status_code == 302
        assert newcomer().inviter_id is None

    def test_invite_banner_names_the_inviter(self, client, member):
        client.get(f"/account/invite/{member.invite_code}")
        assert member.name in client.get("/account/register").get_data(as_text=True)

    def test_own_invite_link_does_not_bind(self, client, member, login):
        login(client, member)
        response = client.get(f"/account/invite/{member.invite_code}", follow_redirects=True)
        assert zh("This is your own invitation link. Share it with friends.") in response.get_data(
            as_text=True
        )
        db.session.expire_all()
        assert member.inviter_id is None

    def test_unknown_invite_code(self, client):
        response = client.get("/account/invite/zzzzzzzz", follow_redirects=True)
        assert zh("This invitation link is not valid.") in response.get_data(as_text=True)
        assert client.get_cookie("invite") is None

    def test_settings_show_invite_link_and_invitees(self, client, member, make_user, login):
        make_user(name="被邀请的人", inviter=member)
        login(client, member)
        page = client.get("/account/settings").get_data(as_text=True)
        assert f"/account/invite/{member.invite_code}" in page
        assert "被邀请的人" in page


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
