"""Production-shaped setups: rate limits in Redis, gunicorn serving from a moved instance folder."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, require_service
from tests.helpers import post_form

ROOT = Path(__file__).resolve().parents[2]


def redis_reachable() -> bool:
    try:
        import redis

        return bool(
            redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=1).ping()
        )
    except Exception:
        return False


@pytest.mark.services
def test_login_throttle_shared_through_redis(app_config, member, make_app):
    require_service("Redis", redis_reachable())
    config = {
        **app_config,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "LOGIN_LIMIT_PER_ACCOUNT": "2 per minute",
    }
    first_worker, second_worker = make_app(config), make_app(config)
    for worker in (first_worker, second_worker):
        response = post_form(
            worker.test_client(), "/account/login", {"email": member.email, "password": "wrong pw"}
        )
        assert response.status_code == 400
    # A third attempt on either worker is refused: the count lives in Redis, not in a process.
    third = post_form(
        first_worker.test_client(), "/account/login", {"email": member.email, "password": PASSWORD}
    )
    assert third.status_code == 429


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_from_instance_path(tmp_path):
    instance = tmp_path / "volume"
    env = {**os.environ, "INSTANCE_PATH": str(instance), "FLASK_APP": "community"}
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_URL"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    env.update(
        COMMUNITY_ENV="production",
        SECRET_KEY="gunicorn-test-secret-of-32-characters",
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        body = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/readyz", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, log_path.read_text()
        assert '"database":"ok"' in body.replace(" ", "")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            page = response.read().decode()
            assert response.headers["Strict-Transport-Security"]
        assert "¥199" in page and 'lang="zh-CN"' in page
        assert (instance / "community.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
