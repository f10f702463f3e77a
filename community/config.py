"""Configuration: embedded defaults, then environment variables, then a test mapping."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "production", "testing")
# Where links in mail point outside production when SITE_URL is not set: `make run`'s server.
DEVELOPMENT_SITE_URL = "http://127.0.0.1:5000"

DEFAULTS: dict[str, Any] = {
    "ENV_NAME": "development",
    "SITE_NAME": "社区",
    "MAIL_URL": "",
    # Empty: SITE_NAME <no-reply@SITE_URL's host> (community/mail.py).
    "MAIL_FROM": "",
    "REDIS_URL": "",
    # Seconds to wait for Redis to connect or answer before counting limits in memory instead.
    "REDIS_TIMEOUT": 1.0,
    # Seconds to wait for PostgreSQL to accept a connection; the 503 asks clients to come back
    # after DATABASE_RETRY_AFTER seconds.
    "DATABASE_CONNECT_TIMEOUT": 5,
    "DATABASE_RETRY_AFTER": 5,
    "LANGUAGES": ("zh_CN", "en"),
    "BABEL_DEFAULT_LOCALE": "zh_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    # An operator's affiliate report upload (Taobao exports run to tens of megabytes).
    "REBATE_IMPORT_MAX_BYTES": 64 * 1024 * 1024,
    # Pictures in posts: the largest upload, the most pixels decoded, the width shown in pages,
    # and how many one member may upload.
    "MEDIA_MAX_BYTES": 10 * 1024 * 1024,
    "MEDIA_MAX_PIXELS": 40_000_000,
    "MEDIA_DISPLAY_WIDTH": 1280,
    "MEDIA_UPLOAD_LIMIT": "60 per hour",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 30,
    "WTF_CSRF_TIME_LIMIT": None,
    "PROXY_COUNT": 0,
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_ENABLED": True,
    # A rate-limit store that is down or hung lets requests through (counted per process in
    # memory meanwhile, with a warning) rather than failing them.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "LOGIN_LIMIT_PER_IP": "30 per 10 minutes",
    # Wrong passwords for one account from one address; the looser per-account limit stops a
    # guesser spread over many addresses without letting one address lock the owner out.
    "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": "5 per 10 minutes",
    "LOGIN_LIMIT_PER_ACCOUNT": "50 per hour",
    "MAIL_LIMIT_PER_IP": "10 per hour",
    "PASSWORD_MIN_LENGTH": 8,
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 64 * 1024,
    "VERIFY_TOKEN_HOURS": 48,
    "RESET_TOKEN_HOURS": 2,
    "INVITE_COOKIE_DAYS": 30,
    "GRACE_DAYS": 7,
    "RENEWAL_DISCOUNT_PERCENT": 10,
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    "STRIPE_API_BASE": "",
    "SEARCH_BACKEND": "whoosh",
    "PAYMENTS_OFFLINE": False,
    # Visitors' public pages may be kept this many seconds by a proxy or CDN in front.
    "PUBLIC_CACHE_SECONDS": 60,
    # /readyz answers 503 while more search changes than this wait, or the oldest is older.
    "READY_MAX_PENDING_CHANGES": 5000,
    "READY_MAX_PENDING_SECONDS": 300,
    # Log lines as JSON objects (one a line) or as text; production defaults to JSON.
    "LOG_FORMAT": "",
    # One log line per request (method, route, status, time); off when the proxy keeps one.
    "ACCESS_LOG": True,
    # /metrics answers a bearer token or the listed client addresses (networks); nobody without.
    "METRICS_TOKEN": "",
    "METRICS_ALLOW": [],
    # Seconds an SMTP server may stay silent before a delivery attempt gives up (and is retried).
    "MAIL_TIMEOUT": 30.0,
    # Jobs (mail, ...) on RQ: the queue's name, seconds one attempt may run, and the delays
    # before each retry (growing; the job fails for good after the last).
    "JOB_QUEUE_NAME": "community",
    "JOB_TIMEOUT": 300,
    "JOB_RETRY_DELAYS": (30, 300, 1800),
}

# Shared renderings' lifetimes (seconds) per kind; QA_FRAGMENT_TTL names the ones it changes.
FRAGMENT_TTL_DEFAULTS = {"questions": 6 * 3600, "lists": 60}
# The shortest SECRET_KEY production accepts: it signs sessions, CSRF tokens and invites.
SECRET_KEY_MIN_LENGTH = 32


def flag(value: str) -> bool:
    """An on/off environment variable: 1, true, yes or on (any case) is on."""
    return value.strip().lower() in ("1", "true", "yes", "on")


def names(value: str) -> list[str]:
    """A comma-separated list: `a, b` -> ["a", "b"]."""
    return [item.strip() for item in value.split(",") if item.strip()]


def networks(value: str) -> list[str]:
    """Comma-separated addresses or networks (`127.0.0.1, 10.0.0.0/8`), each checked."""
    found = names(value)
    for network in found:
        ipaddress.ip_network(network, strict=False)
    return found


def fragment_ttl(value: str) -> dict[str, int]:
    """`questions=21600,lists=60` (either may be left out) -> lifetimes in seconds per kind."""
    ttl = dict(FRAGMENT_TTL_DEFAULTS)
    for item in names(value):
        kind, _sep, seconds = item.partition("=")
        if kind.strip() not in ttl or not seconds.strip().isascii():
            raise ValueError(item)
        ttl[kind.strip()] = int(seconds)
    return ttl


# Environment variables read as they are (strings) or converted by the given function.
ENVIRONMENT: dict[str, Any] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "REDIS_TIMEOUT": float,
    "DATABASE_CONNECT_TIMEOUT": int,
    "DATABASE_RETRY_AFTER": int,
    "MAIL_URL": str,
    "MAIL_FROM": str,
    "SITE_URL": str,
    "SITE_NAME": str,
    "PROXY_COUNT": int,
    "MAX_CONTENT_LENGTH": int,
    "REBATE_IMPORT_MAX_BYTES": int,
    "MEDIA_DIR": str,
    "MEDIA_MAX_BYTES": int,
    "MEDIA_MAX_PIXELS": int,
    "MEDIA_UPLOAD_LIMIT": str,
    "CARD_DIR": str,
    "CARD_FONT": str,
    "GRACE_DAYS": int,
    "RENEWAL_DISCOUNT_PERCENT": int,
    "STRIPE_SECRET_KEY": str,
    "STRIPE_WEBHOOK_SECRET": str,
    "STRIPE_API_BASE": str,
    "SEARCH_BACKEND": str,
    "SEARCH_INDEX_DIR": str,
    "SEARCH_INDEXER": str,
    "PAYMENTS_OFFLINE": flag,
    "TRUSTED_HOSTS": names,
    "LOGIN_LIMIT_PER_IP": str,
    "LOGIN_LIMIT_PER_ACCOUNT_AND_IP": str,
    "LOGIN_LIMIT_PER_ACCOUNT": str,
    "MAIL_LIMIT_PER_IP": str,
    "QA_FRAGMENT_CACHE_SIZE": int,
    "QA_FRAGMENT_FILE": str,
    "QA_FRAGMENT_TTL": fragment_ttl,
    "PUBLIC_CACHE_SECONDS": int,
    "READY_MAX_PENDING_CHANGES": int,
    "READY_MAX_PENDING_SECONDS": int,
    "LOG_FORMAT": str,
    "ACCESS_LOG": flag,
    "METRICS_TOKEN": str,
    "METRICS_ALLOW": networks,
    "VERSION": str,
    "MAIL_TIMEOUT": float,
    "QA_FRAGMENT_FILE_MAX_BYTES": int,
    "JOB_QUEUE": str,
    "JOB_QUEUE_NAME": str,
    "JOB_TIMEOUT": int,
    "JOB_RETRY_DELAYS": lambda value: tuple(int(delay) for delay in value.split(",") if delay),
}
# Settings an empty variable sets (an empty QA_FRAGMENT_FILE turns the file store off).
EMPTY_ALLOWED = ("QA_FRAGMENT_FILE",)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment gives, converted; a value that does not convert is refused
    with the variable's name."""
    settings = {}
    for name, convert in ENVIRONMENT.items():
        value = environ.get(name)
        if value is None or (not value and name not in EMPTY_ALLOWED):
            continue
        try:
            settings[name] = convert(value)
        except ValueError:
            raise RuntimeError(f"{name} has a value that cannot be read: {value!r}") from None
    return settings


def load_config(app, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill `app.config` from defaults, the environment and `overrides`, in that order."""
    app.config.update(DEFAULTS)
    env_name = os.environ.get("COMMUNITY_ENV", "development")
    app.config.update(from_environment(os.environ))
    app.config["ENV_NAME"] = env_name
    if overrides:
        app.config.update(overrides)
    env_name = app.config["ENV_NAME"]
    if env_name not in ENVIRONMENTS:
        raise RuntimeError(f"COMMUNITY_ENV must be one of {', '.join(ENVIRONMENTS)}")

    instance = Path(app.instance_path)
    keep_new_files_private()
    instance.mkdir(parents=True, exist_ok=True)
    app.config.setdefault("OUTBOX_DIR", str(instance / "outbox"))
    app.config.setdefault("SEARCH_INDEX_DIR", str(instance / "search"))
    app.config.setdefault("MEDIA_DIR", str(instance / "media"))
    app.config.setdefault("CARD_DIR", str(instance / "cards"))
    # The index follows commits from a thread of the web process in development; elsewhere
    # `flask search worker` does it (tests apply changes themselves).
    app.config.setdefault("SEARCH_INDEXER", "thread" if env_name == "development" else "worker")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(
        app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL"), instance
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if app.config.get("REDIS_URL"):
        app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    else:
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis", "rediss", "valkey")):
        timeout = app.config["REDIS_TIMEOUT"]
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS",
            {"socket_connect_timeout": timeout, "socket_timeout": timeout},
        )

    # The offline demo provider marks payments paid without money: never in production, unless
    # a staging site opts in with PAYMENTS_OFFLINE=1 (create_app then warns at every start).
    app.config["OFFLINE_PAYMENTS"] = env_name != "production" or bool(
        app.config["PAYMENTS_OFFLINE"]
    )
    if env_name == "production":
        if not app.config.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production (COMMUNITY_ENV=production)")
        if len(app.config["SECRET_KEY"]) < SECRET_KEY_MIN_LENGTH:
            raise RuntimeError(
                f"SECRET_KEY is too short for production: it must be at least "
                f"{SECRET_KEY_MIN_LENGTH} characters (got {len(app.config['SECRET_KEY'])}); "
                'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
            )
        if not app.config.get("SITE_URL"):
            raise RuntimeError(
                "SITE_URL must be set in production (COMMUNITY_ENV=production): the public "
                "address of the site, e.g. https://community.example.com, which links in mail "
                "point to and which Host headers must name"
            )
        check_site_url(app.config["SITE_URL"])
        app.config["TRUSTED_HOSTS"] = trusted_hosts(
            app.config["SITE_URL"], app.config.get("TRUSTED_HOSTS")
        )
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    else:
        app.config["SITE_URL"] = app.config.get("SITE_URL") or DEVELOPMENT_SITE_URL
        check_site_url(app.config["SITE_URL"])
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = development_secret(instance)


def keep_new_files_private() -> None:
    """Make every file and folder this process creates from now on its owner's only (0600 and
    0700): the SQLite database with its -wal and -shm, outbox mails, the shared renderings file,
    the search index and the generated secret hold members' data and the site's keys."""
    os.umask(0o077)


def check_site_url(url: str) -> None:
    """Refuse a SITE_URL that is not an http(s) address with a host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise RuntimeError(
            f"SITE_URL must be the site's public http(s) address, e.g. "
            f"https://community.example.com (got {url!r})"
        )


def trusted_hosts(site_url: str, extra: list[str] | None) -> list[str]:
    """SITE_URL's host and any further names the site answers to; other Hosts get 400."""
    hosts = [urlsplit(site_url).hostname, *(extra or [])]
    return list(dict.fromkeys(host.lower() for host in hosts))


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options: given ones first, then the site's defaults."""
    uri = config["SQLALCHEMY_DATABASE_URI"]
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    # A server's connections can drop while pooled; a SQLite file's cannot, so it skips the ping.
    options.setdefault("pool_pre_ping", not uri.startswith("sqlite"))
    # Error messages (and so logs) never carry the values of a statement: members' text.
    options.setdefault("hide_parameters", True)
    if uri.startswith("postgresql"):
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", config["DATABASE_CONNECT_TIMEOUT"])
        options["connect_args"] = connect_args
    return options


def database_uri(url: str | None, instance: Path) -> str:
    """Return a SQLAlchemy URL, defaulting to SQLite in the instance folder and psycopg 3."""
    if not url:
        return f"sqlite:///{instance / 'community.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret(instance: Path) -> str:
    """Read the generated development secret, creating it on first use."""
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
