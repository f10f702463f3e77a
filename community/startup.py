"""What the site runs on, said once at start: the services it uses and the defaults still in use.

A production site that silently fell back to SQLite in `instance/`, per-worker rate limits and
mail written to files looked healthy while members never got their mail. The summary names each
service (passwords hidden); each embedded default a production site still uses gets a warning.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from flask import Flask
from sqlalchemy.engine import make_url

from community.config import database_uri
from community.mail import sender

log = logging.getLogger(__name__)


def hide_password(url: str) -> str:
    """`scheme://user:secret@host/...` -> `scheme://user:***@host/...`."""
    if not url:
        return url
    if url.startswith(("sqlite", "postgresql", "mysql")):
        return make_url(url).render_as_string(hide_password=True)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[2]}"))


def payments_label(config) -> str:
    if config.get("STRIPE_SECRET_KEY"):
        webhook = (
            "webhook secret set" if config.get("STRIPE_WEBHOOK_SECRET") else "NO webhook secret"
        )
        return f"Stripe ({webhook})"
    if config["OFFLINE_PAYMENTS"]:
        return "offline TEST provider (no money is taken)"
    return "none (checkout closed)"


def running_on(app: Flask) -> list[tuple[str, str]]:
    """What this site runs on, as (what, where) pairs, secrets hidden."""
    config = app.config
    mail = hide_password(config["MAIL_URL"]) or f"files in {config['OUTBOX_DIR']}"
    limits = config["RATELIMIT_STORAGE_URI"]
    renderings = (
        f"Redis {hide_password(config['REDIS_URL'])}"
        if config.get("REDIS_URL")
        else (config.get("QA_FRAGMENT_FILE") or "worker memory only")
    )
    search = config["SEARCH_BACKEND"]
    if search == "whoosh":
        search = f"whoosh in {config['SEARCH_INDEX_DIR']}"
    return [
        ("database", hide_password(config["SQLALCHEMY_DATABASE_URI"])),
        (
            "rate limits",
            "memory of each worker" if limits == "memory://" else hide_password(limits),
        ),
        ("mail", f"{mail}, from {sender(config)}"),
        ("search", f"{search}, indexer: {config['SEARCH_INDEXER']}"),
        ("renderings", renderings),
        ("site", config["SITE_URL"]),
        ("payments", payments_label(config)),
    ]


def embedded_defaults(app: Flask) -> list[str]:
    """Each embedded default a production site still uses, with what it costs."""
    config = app.config
    found = []
    if config["SQLALCHEMY_DATABASE_URI"] == database_uri(None, Path(app.instance_path)):
        found.append(
            "DATABASE_URL is not set: the database is a SQLite file in the instance folder "
            "(one host only; set DATABASE_URL=postgresql://... for PostgreSQL)"
        )
    if config["RATELIMIT_STORAGE_URI"] == "memory://":
        found.append(
            "REDIS_URL is not set: rate limits are counted in each worker's memory, so every "
            "worker allows the full limit and a restart forgets them"
        )
    if not config["MAIL_URL"]:
        found.append(
            "MAIL_URL is not set: mail is written to files in the outbox and nobody receives it"
        )
    if not config.get("STRIPE_SECRET_KEY") and not config["OFFLINE_PAYMENTS"]:
        found.append("STRIPE_SECRET_KEY is not set: checkout is closed, nobody can pay")
    return found


def log_start_summary(app: Flask) -> None:
    """In production: one line saying what the site runs on, then a warning per default."""
    if app.config["ENV_NAME"] != "production":
        return
    summary = "; ".join(f"{what}: {where}" for what, where in running_on(app))
    log.info("starting in production on %s", summary)
    for warning in embedded_defaults(app):
        log.warning("EMBEDDED DEFAULT IN PRODUCTION: %s", warning)
