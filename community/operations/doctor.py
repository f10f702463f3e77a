"""`flask doctor`: check the settings and reach every configured service, in plain words.

Each check gives a `Finding`: fine, a warning (an embedded default a production site should not
keep) or a problem (a service that cannot be reached, a setting that cannot work). Checks never
send anything: SMTP is greeted and signed into, Stripe is asked for one price, Redis pinged.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
import stripe
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import Migrate
from limits import parse_many
from sqlalchemy import text

from community.billing import stripe_api
from community.extensions import db
from community.failure_log import describe
from community.search.errors import IndexUnavailable
from community.search.outbox import pending_count
from community.search.service import search_service
from community.startup import embedded_defaults, hide_password

OK, WARNING, PROBLEM = "ok", "warning", "problem"
SMTP_TIMEOUT = 10


@dataclass(frozen=True)
class Finding:
    subject: str
    status: str
    message: str


def check_settings() -> list[Finding]:
    """Rate limits that parse, a search backend that exists, production's embedded defaults."""
    config = current_app.config
    findings = []
    for name in (
        "LOGIN_LIMIT_PER_IP",
        "LOGIN_LIMIT_PER_ACCOUNT_AND_IP",
        "LOGIN_LIMIT_PER_ACCOUNT",
        "MAIL_LIMIT_PER_IP",
    ):
        try:
            parse_many(config[name])
        except ValueError:
            findings.append(
                Finding(
                    name, PROBLEM, f"{config[name]!r} is not a limit such as '5 per 10 minutes'"
                )
            )
    if config["SEARCH_BACKEND"] not in ("whoosh", "postgres"):
        findings.append(
            Finding(
                "SEARCH_BACKEND", PROBLEM, f"{config['SEARCH_BACKEND']!r}: use whoosh or postgres"
            )
        )
    if config["ENV_NAME"] == "production":
        findings += [
            Finding("settings", WARNING, message) for message in embedded_defaults(current_app)
        ]
        if urlsplit(config["SITE_URL"]).scheme != "https":
            findings.append(
                Finding(
                    "SITE_URL",
                    WARNING,
                    f"{config['SITE_URL']} is not https: "
                    "browsers will not send the site's Secure cookies back",
                )
            )
    if not any(finding.subject != "settings" for finding in findings):
        findings.append(Finding("settings", OK, f"read for {config['ENV_NAME']}"))
    return findings


def check_database() -> list[Finding]:
    """The database answers and carries every migration."""
    where = hide_password(current_app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = MigrationContext.configure(connection).get_current_revision()
    except Exception as error:
        return [Finding("database", PROBLEM, f"{where} cannot be reached: {describe(error)}")]
    migrate: Migrate = current_app.extensions["migrate"].migrate
    head = ScriptDirectory.from_config(migrate.get_config()).get_current_head()
    if current != head:
        found = current or "none"
        return [
            Finding(
                "database",
                PROBLEM,
                f"{where} answers but is at migration {found}, not {head}: run flask db upgrade",
            )
        ]
    return [Finding("database", OK, f"{where} answers, migrated to {head}")]


def check_redis() -> list[Finding]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return []
    timeout = current_app.config["REDIS_TIMEOUT"]
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as error:
        return [
            Finding(
                "Redis",
                PROBLEM,
                f"{hide_password(url)} does not answer within {timeout:g} s ({describe(error)}): "
                "rate limits fall back to each worker's memory",
            )
        ]
    finally:
        client.close()
    return [Finding("Redis", OK, f"{hide_password(url)} answers")]


def check_smtp() -> list[Finding]:
    """Greet the mail server and sign in (STARTTLS when offered), sending nothing."""
    url = current_app.config.get("MAIL_URL")
    if not url:
        return []
    parts = urlsplit(url)
    where = hide_password(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        return [Finding("mail", PROBLEM, f"{where}: use smtp://user:pass@host:587 or smtps://")]
    try:
        if parts.scheme == "smtps":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(
                parts.hostname, parts.port or 465, timeout=SMTP_TIMEOUT, context=context
            )
        else:
            client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=SMTP_TIMEOUT)
        with client:
            client.ehlo()
            if parts.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
    except smtplib.SMTPAuthenticationError:
        return [Finding("mail", PROBLEM, f"{where} refused the user name or password")]
    except (OSError, smtplib.SMTPException) as error:
        return [Finding("mail", PROBLEM, f"{where} cannot be reached: {describe(error)}")]
    return [Finding("mail", OK, f"{where} answers")]


def check_stripe() -> list[Finding]:
    if not current_app.config.get("STRIPE_SECRET_KEY"):
        return []
    where = current_app.config.get("STRIPE_API_BASE") or "api.stripe.com"
    try:
        stripe_api.reach()
    except stripe.AuthenticationError:
        return [Finding("Stripe", PROBLEM, f"{where} refused STRIPE_SECRET_KEY")]
    except stripe.StripeError as error:
        return [Finding("Stripe", PROBLEM, f"{where} cannot be reached: {describe(error)}")]
    findings = [Finding("Stripe", OK, f"{where} answers")]
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        findings.append(
            Finding("Stripe", PROBLEM, "STRIPE_WEBHOOK_SECRET is not set: every webhook is refused")
        )
    return findings


def check_search() -> list[Finding]:
    """The index opens; how many changes wait for the indexer."""
    try:
        backend = search_service().backend
        documents = backend.document_count()
        pending = pending_count()
    except IndexUnavailable:
        db.session.rollback()
        return [
            Finding(
                "search",
                PROBLEM,
                f"{current_app.config['SEARCH_BACKEND']} has no usable index: "
                "run flask search reindex",
            )
        ]
    except Exception as error:
        db.session.rollback()
        return [Finding("search", PROBLEM, f"the index cannot be read: {describe(error)}")]
    return [
        Finding("search", OK, f"{backend.name}: {documents} documents, {pending} changes waiting")
    ]


CHECKS = (check_settings, check_database, check_redis, check_smtp, check_stripe, check_search)


def examine() -> list[Finding]:
    """Every check's findings; the search check only once the database answers."""
    findings: list[Finding] = []
    for check in CHECKS:
        database_down = any(f.subject == "database" and f.status == PROBLEM for f in findings)
        if check is check_search and database_down:
            findings.append(
                Finding("search", PROBLEM, "not checked: the database cannot be reached")
            )
            continue
        findings.extend(check())
    return findings
