"""/api/v1: a bearer token identifies the user exactly as a session does."""

import pytest

from community.accounts import tokens
from community.extensions import db
from tests.helpers import csrf_from, post_form


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def test_visitor_without_token(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json() == {
        "id": None,
        "email": None,
        "name": None,
        "role": "visitor",
        "tier": "free",
        "active_until": None,
    }


def test_token_identifies_member(client, member):
    _token, raw = tokens.create_api_token(member, "脚本")
    db.session.commit()
    body = client.get("/api/v1/me", headers=bearer(raw)).get_json()
    assert body["id"] == member.id
    assert body["email"] == member.email
    assert body["name"] == member.name
    assert body["role"] == "member"
    assert body["tier"] == "member"
    assert body["active_until"].startswith("20")


def test_token_and_session_agree(client, member, login):
    _token, raw = tokens.create_api_token(member, "脚本")
    db.session.commit()
    by_token = client.get("/api/v1/me", headers=bearer(raw)).get_json()
    login(client, member)
    by_session = client.get("/api/v1/me").get_json()
    assert by_token == by_session


def test_token_does_not_start_a_session(client, member):
    _token, raw = tokens.create_api_token(member, "脚本")
    db.session.commit()
    response = client.get("/api/v1/me", headers=bearer(raw))
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/me").get_json()["id"] is None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cm_unknown",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwdw==",
        "cm_abc",
        "Bearer " + "x" * 300,
    ],
)
def test_unknown_or_malformed_tokens_get_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_401_even_with_a_session(client, member, login):
    token, raw = tokens.create_api_token(member, "脚本")
    tokens.revoke_api_token(member, token.id)
    db.session.commit()
    login(client, member)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_api_404_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


class TestTokenPages:
    def test_member_creates_sees_once_and_revokes(self, client, member, login):
        login(client, member)
        response = post_form(
            client, "/account/tokens", {"name": "我的脚本"}, page="/account/settings"
        )
        assert response.status_code == 201
        page = response.get_data(as_text=True)
        stored = db.session.query(tokens.ApiToken).one()
        raw = page.split('data-testid="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
        assert raw.startswith(stored.prefix)
        assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["id"] == member.id
        # Shown once: the settings page afterwards holds only the prefix.
        again = client.get("/account/settings").get_data(as_text=True)
        assert raw not in again and stored.prefix in again
        token = csrf_from(client.get("/account/settings"))
        assert (
            client.post(
                f"/account/tokens/{stored.id}/revoke", data={"csrf_token": token}
            ).status_code
            == 302
        )
        assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401

    def test_free_user_cannot_create_tokens(self, client, free_user, login):
        login(client, free_user)
        response = post_form(client, "/account/tokens", {"name": "x"}, page="/account/settings")
        assert response.status_code == 403
        assert db.session.query(tokens.ApiToken).count() == 0

    def test_mallory_cannot_revoke_someone_elses_token(self, client, member, mallory, login):
        token, raw = tokens.create_api_token(member, "脚本")
        db.session.commit()
        login(client, mallory)
        csrf = csrf_from(client.get("/account/settings"))
        response = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf})
        assert response.status_code == 403
        assert client.get("/api/v1/me", headers=bearer(raw)).get_json()["id"] == member.id

    def test_empty_token_name(self, client, member, login):
        login(client, member)
        response = post_form(client, "/account/tokens", {"name": ""}, page="/account/settings")
        assert response.status_code == 400
        assert db.session.query(tokens.ApiToken).count() == 0
