"""Fixtures for jobs: a Redis database of their own (DB 5, one more per extra test process, so
two processes never share a queue), emptied around each test."""

from __future__ import annotations

import os

import pytest

REDIS_URL = "redis://127.0.0.1:6379/{}".format(
    5 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
)


@pytest.fixture
def redis_url():
    import redis

    from tests.conftest import require_service

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        require_service("Redis", False)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()
