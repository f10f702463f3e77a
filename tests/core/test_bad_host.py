"""A Host header no URL can be built with (a 300-character label, an empty label) answers a
calm 400; the error page itself used to fail while building its links."""

import pytest

from tests.helpers import zh

BAD_HOSTS = [
    "a" * 300,
    "a" * 64 + ".example.com",
    "a..example.com",
    ".",
    "." * 10,
]


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", ["/", "/no-such-page", "/qa/", "/api/v1/me"])
def test_a_malformed_host_answers_400_calmly(app, host, path):
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.get_json()["status"] == 400
        assert response.get_json()["message"]
    else:
        page = response.get_data(as_text=True)
        assert zh("This request names a host that is not valid.") in page
        assert 'lang="zh-CN"' in page


def test_a_malformed_forwarded_host_answers_400_behind_a_proxy(app_config, make_app):
    proxied = make_app({**app_config, "PROXY_COUNT": 1})
    response = proxied.test_client().get(
        "/", headers={"X-Forwarded-Host": "b" * 300, "Accept-Language": "en"}
    )
    assert response.status_code == 400
    assert "This request names a host that is not valid." in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["例子.测试", "[::1]:8080", "localhost:5000", "exa mple.com"])
def test_unusual_but_usable_hosts_still_get_pages(app, host):
    response = app.test_client().get("/", headers={"Host": host})
    assert response.status_code == 200
