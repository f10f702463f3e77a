"""Whether this process can serve: the database answers, Redis (when configured) answers, and
the search index is not far behind the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import redis
from flask import current_app
from sqlalchemy import func, select, text

from community.clock import utcnow
from community.errors import discard_session
from community.extensions import db
from community.failure_log import log_failure
from community.search.models import SearchChange

log = logging.getLogger(__name__)


def site_version() -> str:
    """The installed package's version, or VERSION when the deploy sets one."""
    return current_app.config.get("VERSION") or installed_version()


@cache
def installed_version() -> str:
    """Read once per process: the package metadata does not change under a running worker,
    and reading it costs milliseconds (/healthz is asked often)."""
    try:
        return version("community")
    except PackageNotFoundError:
        return "unknown"


def search_lag() -> tuple[int, float]:
    """Search changes waiting for the indexer, and how many seconds the oldest has waited."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(SearchChange.created_at)).select_from(SearchChange)
    ).one()
    age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
    return count, max(age, 0.0)


def redis_client() -> redis.Redis:
    """One client per app for the probe, with the site's Redis timeouts."""
    state = current_app.extensions.setdefault("readiness", {})
    if "redis" not in state:
        timeout = current_app.config["REDIS_TIMEOUT"]
        state["redis"] = redis.Redis.from_url(
            current_app.config["REDIS_URL"],
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
        )
    return state["redis"]


@dataclass
class Readiness:
    checks: dict[str, object] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.reasons


def check_readiness() -> Readiness:
    """Every check, each failure a reason in plain words (no hosts, no passwords)."""
    result = Readiness()
    config = current_app.config
    try:
        db.session.execute(text("SELECT 1"))
        pending, age = search_lag()
    except Exception as error:
        log_failure(log, "readiness: database unreachable", error=error)
        discard_session()
        result.checks["database"] = "unreachable"
        result.reasons.append("the database cannot be reached")
    else:
        result.checks["database"] = "ok"
        result.checks["search_pending"] = pending
        result.checks["search_oldest_seconds"] = round(age, 1)
        if pending > config["READY_MAX_PENDING_CHANGES"]:
            result.reasons.append(
                f"{pending} search changes wait (more than {config['READY_MAX_PENDING_CHANGES']})"
            )
        if age > config["READY_MAX_PENDING_SECONDS"]:
            result.reasons.append(
                f"the oldest search change has waited {age:.0f} s "
                f"(more than {config['READY_MAX_PENDING_SECONDS']} s): is the indexer running?"
            )
    if config.get("REDIS_URL"):
        try:
            redis_client().ping()
        except redis.RedisError as error:
            log_failure(log, "readiness: Redis unreachable", error=error)
            result.checks["redis"] = "unreachable"
            result.reasons.append("Redis cannot be reached")
        else:
            result.checks["redis"] = "ok"
    return result
