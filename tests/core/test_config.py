"""Configuration from the environment: production safety, INSTANCE_PATH, generated secrets."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from community import create_app
from community.config import database_uri

ROOT = Path(__file__).resolve().parents[2]


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-at-least-32-chars")
    monkeypatch.setenv("SITE_URL", "https://community.example.com")
    app = create_app()
    assert app.secret_key == "from-the-environment-at-least-32-chars"
    assert not (tmp_path / "secret_key").exists()


def test_unknown_environment_name_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMUNITY_ENV", "staging-ish")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="COMMUNITY_ENV"):
        create_app()


def test_development_generates_a_private_secret_once(monkeypatch, tmp_path):
    monkeypatch.delenv("COMMUNITY_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "data"))
    first = create_app()
    second = create_app()
    secret_file = tmp_path / "data" / "secret_key"
    assert first.secret_key == second.secret_key == secret_file.read_text().strip()
    assert len(first.secret_key) == 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    # INSTANCE_PATH moves the SQLite file and the outbox along with the secret.
    assert (
        first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'data' / 'community.db'}"
    )
    assert first.config["OUTBOX_DIR"] == str(tmp_path / "data" / "outbox")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
        ("postgresql://u@db/x", "postgresql+psycopg://u@db/x"),
        ("postgresql+psycopg://u@db/x", "postgresql+psycopg://u@db/x"),
        ("sqlite:////data/x.db", "sqlite:////data/x.db"),
    ],
)
def test_database_url_uses_psycopg3(given, expected, tmp_path):
    assert database_uri(given, tmp_path) == expected


def test_redis_url_moves_rate_limits_to_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def run_flask(args, instance: Path, timeout=120):
    env = {**os.environ, "INSTANCE_PATH": str(instance), "FLASK_APP": "community"}
    for name in ("DATABASE_URL", "SECRET_KEY", "COMMUNITY_ENV", "REDIS_URL", "MAIL_URL"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_flask_commands_honour_instance_path(tmp_path):
    instance = tmp_path / "volume"
    upgraded = run_flask(["db", "upgrade"], instance)
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = run_flask(["demo", "seed", "--if-empty"], instance)
    assert seeded.returncode == 0, seeded.stderr
    assert "6 accounts created" in seeded.stdout
    again = run_flask(["demo", "seed", "--if-empty"], instance)
    assert "skipped" in again.stdout
    assert (instance / "community.db").exists()
    assert (instance / "secret_key").exists()
    assert (
        not (ROOT / "instance" / "secret_key").exists()
        or (ROOT / "instance").resolve() != instance.resolve()
    )
