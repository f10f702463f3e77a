"""Sign-in and sign-up limits: per account and address, folded as sign-in folds addresses."""

from __future__ import annotations

import pytest

from community.accounts.models import User
from community.extensions import db
from tests.accounts.view_helpers import (
    client_at,
    login_form,
    register,
)
from tests.conftest import PASSWORD
from tests.helpers import csrf_from, zh


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
        assert f"请在 {minutes} 分钟后重试。" in page

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
