"""Where shared renderings live: Redis when the site has one (every host shares it), and a
Redis that cannot be reached is a miss, not an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from community.qa.pages import question as question_rendering
from tests.qa.rendering_helpers import TOKEN_RE, page


@pytest.fixture
def redis_url():
    import redis

    from tests.conftest import require_service

    url = "redis://127.0.0.1:6379/13"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        require_service("Redis", False)
    client.flushdb()
    yield url
    client.flushdb()


def test_with_redis_hosts_share_renderings_and_keys_expire(
    app_config, make_app, login, make_question, make_user, redis_url, monkeypatch
):
    import redis

    config = {**app_config, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": "memory://"}
    first_host, second_host = make_app(config), make_app(config)
    member = make_user(tier="member")
    question = make_question()
    clients = []
    for host in (first_host, second_host):
        client = host.test_client()
        login(client, member)
        clients.append(client)

    first = page(clients[0], question)
    stored = redis.Redis.from_url(redis_url).keys("rendering:questions:*")
    assert len(stored) == 1
    assert 0 < redis.Redis.from_url(redis_url).ttl(stored[0]) <= 6 * 3600
    assert not (Path(app_config["INSTANCE_PATH"]) / "fragments.sqlite3").exists()

    def refuse(*_args):
        raise AssertionError("the second host rendered the page again")

    monkeypatch.setattr(question_rendering, "build_shared_question", refuse)
    strip = lambda html: TOKEN_RE.sub("", html)  # noqa: E731
    assert strip(page(clients[1], question)) == strip(first)


def test_an_unreachable_redis_is_a_miss_not_an_error(
    app_config, make_app, login, make_question, make_user
):
    config = {
        **app_config,
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    host = make_app(config)
    client = host.test_client()
    login(client, make_user(tier="member"))
    question = make_question()
    assert question.title in page(client, question)
    assert question.title in page(client, question)
