"""Invites: the sign-up form shows who invited you and binds only when you keep that choice."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from community.accounts.models import User
from community.clock import utcnow
from community.extensions import db
from tests.accounts.view_helpers import (
    register,
)
from tests.conftest import PASSWORD
from tests.helpers import csrf_from, zh


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
