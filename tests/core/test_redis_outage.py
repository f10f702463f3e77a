"""Redis down (connections refused) or hung (accepts, never answers): gunicorn's two workers keep
signing people in within a bounded time, counting rate limits in memory meanwhile, never 500."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD
from tests.core.outages import HungServer, closed_port
from tests.helpers import CSRF_RE

ROOT = Path(__file__).resolve().parents[2]
# Failed attempts stay under LOGIN_LIMIT_PER_ACCOUNT (5) even if one worker counts them all.
SIGN_INS = 4


def start_gunicorn(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_until_up(base: str, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(log_path.read_text())


def sign_in(base: str, email: str, password: str):
    """GET the form, POST it; return (status of the POST, seconds the two took)."""
    started = time.monotonic()
    form = requests.get(base + "/account/login", timeout=15)
    token = CSRF_RE.search(form.text)
    assert token, form.text[:500]
    # Production cookies are Secure; this plain-HTTP client sends the session back by hand.
    cookie = f"session={form.cookies['session']}"
    response = requests.post(
        base + "/account/login",
        data={"csrf_token": token.group(1) or token.group(2), "email": email, "password": password},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=15,
    )
    return response.status_code, time.monotonic() - started


@pytest.mark.parametrize("redis", ["hung", "down"])
def test_sign_in_answers_in_bounded_time_when_redis_fails(database_url, member, tmp_path, redis):
    hung = HungServer() if redis == "hung" else None
    redis_port = hung.port if hung else closed_port()
    env = {
        **os.environ,
        "COMMUNITY_ENV": "production",
        "SECRET_KEY": "redis-outage-secret-of-32-characters",
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    env.pop("MAIL_URL", None)
    log_path = tmp_path / "gunicorn.log"
    port = closed_port()
    env["SITE_URL"] = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, log_path)
        attempts = [(member.email, PASSWORD)] + [(member.email, "wrong password")] * (SIGN_INS - 1)
        with ThreadPoolExecutor(SIGN_INS) as pool:
            results = list(pool.map(lambda attempt: sign_in(base, *attempt), attempts))
            page = pool.submit(requests.get, base + "/pricing", timeout=15).result()
        statuses = [status for status, _seconds in results]
        assert statuses[0] == 302, results
        assert set(statuses[1:]) == {400}, results
        assert max(seconds for _status, seconds in results) < 8, results
        assert page.status_code == 200
        # Later sign-ins count in memory without waiting on Redis each time.
        status, seconds = sign_in(base, member.email, PASSWORD)
        assert status == 302 and seconds < 4
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        if hung:
            hung.close()
    log = log_path.read_text()
    assert "falling back to in-memory storage" in log
    assert "Internal Server Error" not in log


def test_redis_timeouts_are_configurable(monkeypatch, tmp_path):
    from community import create_app
    from community.extensions import limiter

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("REDIS_TIMEOUT", "0.5")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {
        "socket_connect_timeout": 0.5,
        "socket_timeout": 0.5,
    }
    client_options = limiter.storage.storage.connection_pool.connection_kwargs
    assert client_options["socket_timeout"] == client_options["socket_connect_timeout"] == 0.5
    assert app.config["RATELIMIT_SWALLOW_ERRORS"] is True
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True


@pytest.mark.parametrize("redis", ["hung", "down"])
def test_the_rendering_store_waits_for_a_failing_redis_once_then_rests(app, redis, caplog):
    from community.rendering.cache import RedisLayer
    from community.rendering.fragments import Fragment

    hung = HungServer() if redis == "hung" else None
    url = f"redis://127.0.0.1:{hung.port if hung else closed_port()}/0"
    store = RedisLayer(url, ttl=60, timeout=0.3)
    fragment = Fragment.parse("<p>一段渲染</p>")
    try:
        started = time.monotonic()
        for number in range(20):
            assert store.get(f"page:{number}") is None
            store.put(f"page:{number}", fragment)
        elapsed = time.monotonic() - started
    finally:
        if hung:
            hung.close()
    # One wait of the timeout, then pages render without asking Redis for a while.
    assert elapsed < 1.5
    failures = [
        record for record in caplog.records if "rendering cache in Redis" in record.getMessage()
    ]
    assert 1 <= len(failures) <= 2
