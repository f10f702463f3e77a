"""Saying what the site runs on: the start summary, embedded defaults, settings from the
environment, and the README's settings table against what config reads."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from community import create_app
from community.config import ENVIRONMENT, SECRET_KEY_MIN_LENGTH

ROOT = Path(__file__).resolve().parents[2]
LONG_SECRET = "s" * SECRET_KEY_MIN_LENGTH
# Read by the process before any config exists, so not in config.ENVIRONMENT.
PROCESS_VARIABLES = {"COMMUNITY_ENV", "INSTANCE_PATH"}


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMMUNITY_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", LONG_SECRET)
    monkeypatch.setenv("SITE_URL", "https://community.example.com")
    return monkeypatch


def start_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "community.startup"]


def test_production_logs_one_summary_and_a_warning_per_embedded_default(production_env, caplog):
    with caplog.at_level(logging.INFO, logger="community.startup"):
        create_app()
    records = start_records(caplog)
    summaries = [r.getMessage() for r in records if r.levelno == logging.INFO]
    assert len(summaries) == 1
    for part in ("database: sqlite:///", "rate limits: memory of each worker", "mail: files in"):
        assert part in summaries[0]
    assert "site: https://community.example.com" in summaries[0]
    assert "payments: none (checkout closed)" in summaries[0]
    # Mail goes out from the site's own domain unless MAIL_FROM says otherwise.
    assert "<no-reply@community.example.com>" in summaries[0]
    warnings = " | ".join(r.getMessage() for r in records if r.levelno == logging.WARNING)
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_URL", "STRIPE_SECRET_KEY"):
        assert f"EMBEDDED DEFAULT IN PRODUCTION: {name}" in warnings


def test_a_configured_production_site_warns_of_nothing_and_hides_passwords(
    production_env, caplog, tmp_path
):
    production_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'chosen.db'}")
    production_env.setenv("REDIS_URL", "redis://:redis-password@127.0.0.1:6379/4")
    production_env.setenv("MAIL_URL", "smtp://mailer:mail-password@smtp.example.com:587")
    production_env.setenv("MAIL_FROM", "社区 <hello@community.example.com>")
    production_env.setenv("STRIPE_SECRET_KEY", "sk_live_secret_value")
    with caplog.at_level(logging.INFO, logger="community.startup"):
        create_app()
    records = start_records(caplog)
    assert [r.getMessage() for r in records if r.levelno >= logging.WARNING] == []
    summary = records[0].getMessage()
    assert "redis://:***@127.0.0.1:6379/4" in summary
    assert "smtp://mailer:***@smtp.example.com:587" in summary
    assert "Stripe (NO webhook secret)" in summary
    for secret in ("redis-password", "mail-password", "sk_live_secret_value", LONG_SECRET):
        assert secret not in caplog.text


def test_development_says_nothing_at_start(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("COMMUNITY_ENV", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="community.startup"):
        create_app()
    assert start_records(caplog) == []


def test_production_refuses_a_short_secret_key_and_names_the_minimum(production_env):
    production_env.setenv("SECRET_KEY", "s" * (SECRET_KEY_MIN_LENGTH - 1))
    with pytest.raises(RuntimeError, match=f"at least {SECRET_KEY_MIN_LENGTH} characters"):
        create_app()


def test_production_refuses_to_start_without_site_url(production_env):
    production_env.delenv("SITE_URL")
    with pytest.raises(RuntimeError, match="SITE_URL must be set"):
        create_app()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PROXY_COUNT", "two"),
        ("REDIS_TIMEOUT", "1s"),
        ("QA_FRAGMENT_CACHE_SIZE", "lots"),
        ("QA_FRAGMENT_TTL", "pages=5"),
        ("QA_FRAGMENT_TTL", "questions=²"),
    ],
)
def test_a_setting_that_cannot_be_read_is_refused_by_name(production_env, name, value):
    production_env.setenv(name, value)
    with pytest.raises(RuntimeError, match=name):
        create_app()


def test_fragment_settings_come_from_the_environment(production_env, tmp_path):
    production_env.setenv("QA_FRAGMENT_CACHE_SIZE", "17")
    production_env.setenv("QA_FRAGMENT_FILE", "")
    production_env.setenv("QA_FRAGMENT_TTL", "lists=5")
    config = create_app().config
    assert config["QA_FRAGMENT_CACHE_SIZE"] == 17
    assert config["QA_FRAGMENT_FILE"] == ""
    assert config["QA_FRAGMENT_TTL"] == {"questions": 6 * 3600, "lists": 5}


def readme_settings_table() -> set[str]:
    """The variables named in the first column of the README's production settings table."""
    text = (ROOT / "README.md").read_text()
    table = text.split("## Production settings", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split(" | ")[0]))
    return names


def test_the_readme_settings_table_is_what_config_reads_from_the_environment():
    documented = readme_settings_table()
    assert documented - PROCESS_VARIABLES == set(ENVIRONMENT)


def test_every_setting_the_readme_names_is_settable(production_env):
    """A backticked name in the README that is a setting of the app can be set from the
    environment (QA_FRAGMENT_CACHE_SIZE and friends once could not)."""
    config = create_app().config
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{3,})`", (ROOT / "README.md").read_text()))
    derived = {"OFFLINE_PAYMENTS", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI"}
    settings = {name for name in named if name in config} - derived
    assert settings - set(ENVIRONMENT) == set()
