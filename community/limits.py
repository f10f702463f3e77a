"""Rate limits run where they are declared.

Every limit of the site decorates its own view (`@limiter.limit`), and that decorator checks
it as the view is called. Flask-Limiter also checks every request before its view, for limits
on the whole application, by default, or on a blueprint; the site declares none, so that pass
counts nothing and costs about 0.15 ms on every page. It is dropped while there is nothing
for it to count, and kept as soon as there is.
"""

from __future__ import annotations

from flask import Flask

from community.extensions import limiter


def needs_request_pass(app: Flask) -> bool:
    """Whether any limit applies beyond the views that declare their own."""
    manager = limiter.limit_manager
    configured = any(
        app.config.get(name)
        for name in (
            "RATELIMIT_DEFAULT",
            "RATELIMIT_APPLICATION",
            "RATELIMIT_META",
            # Limits for when the store is down, applied by that pass alone.
            "RATELIMIT_IN_MEMORY_FALLBACK",
        )
    )
    return bool(
        configured
        or manager.application_limits
        or manager.default_limits
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
    )


def drop_idle_request_pass(app: Flask) -> None:
    """Remove the before-request pass when it has nothing to count (after every view, and so
    every decorated limit, is registered)."""
    if needs_request_pass(app):
        return
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:
        checks.remove(limiter._check_request_limit)
