"""Production names its public address: SITE_URL is required and other Host headers get 400."""

from __future__ import annotations

import pytest

from community import create_app
from tests.helpers import zh

SITE = "https://community.example.com"


@pytest.fixture
def production(app, app_config, make_app):
    """A production app on the test database (`app` has prepared it)."""

    def make(**settings):
        return make_app({**app_config, "ENV_NAME": "production", "SITE_URL": SITE, **settings})

    return make


def test_production_refuses_to_start_without_site_url(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-at-least-32-chars")
    monkeypatch.delenv("SITE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SITE_URL must be set in production"):
        create_app()


@pytest.mark.parametrize("url", ["community.example.com", "ftp://example.com", "https://"])
def test_a_site_url_that_is_not_an_address_is_refused(monkeypatch, tmp_path, url):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SITE_URL", url)
    with pytest.raises(RuntimeError, match="SITE_URL must be the site's public"):
        create_app()


def test_trusted_hosts_are_site_url_and_the_environment_list(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-at-least-32-chars")
    monkeypatch.setenv("SITE_URL", "https://Community.Example.com:8443/")
    monkeypatch.setenv("TRUSTED_HOSTS", "www.example.com, .cdn.example.com")
    assert create_app().config["TRUSTED_HOSTS"] == [
        "community.example.com",
        "www.example.com",
        ".cdn.example.com",
    ]


def test_production_answers_a_foreign_host_with_a_calm_400(production):
    client = production().test_client()
    for path in ("/", "/account/login", "/qa/", "/no-such-page"):
        response = client.get(path, headers={"Host": "evil.example.net"})
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        assert zh("This site does not answer to that address.") in page
        assert 'data-status="400"' in page and 'lang="zh-CN"' in page
        assert "evil.example.net" not in page
    posted = client.post(
        "/account/forgot", data={"email": "a@example.com"}, headers={"Host": "evil.example.net"}
    )
    assert posted.status_code == 400


def test_production_api_answers_a_foreign_host_with_json(production):
    response = production().test_client().get("/api/v1/me", headers={"Host": "evil.example.net"})
    assert response.status_code == 400
    assert response.get_json()["status"] == 400


def test_production_serves_its_own_host_and_the_extra_ones(production):
    client = production(TRUSTED_HOSTS=["www.example.com"]).test_client()
    for host in ("community.example.com", "community.example.com:443", "www.example.com"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
