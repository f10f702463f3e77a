"""Helpers the account page tests share: forms sent as a browser would, clients at an address."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.helpers import post_form

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
