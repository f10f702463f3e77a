"""Domain errors raised by services, and the HTTP error pages."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from community.extensions import db, limiter

log = logging.getLogger(__name__)


class ValidationFailed(Exception):
    """Input a service refused, as (field, reason) pairs; field may be None for the whole form."""

    def __init__(self, errors: Iterable[tuple[str | None, str]]):
        self.errors = list(errors)
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in self.errors))

    def for_field(self, field: str | None) -> list[str]:
        return [reason for name, reason in self.errors if name == field]


class NotAllowed(Exception):
    """The acting user may not do this."""

    def __init__(self, reason: str = ""):
        self.reason = reason
        super().__init__(reason)


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please sign in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    410: _l("This link is no longer valid"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def retry_after_seconds() -> int | None:
    """Seconds until the limit that refused this request resets, if a limit did."""
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, int(current.reset_at - time.time()))


def render_error(code: int, message: str | None = None, headers: dict | None = None):
    title = str(ERROR_TITLES.get(code, ERROR_TITLES[500]))
    if wants_json():
        body = {"error": title, "status": code}
        if message:
            body["message"] = message
        response = jsonify(body)
    else:
        response = render_template("errors/error.html", code=code, title=title, message=message)
    headers = dict(headers or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response, code, headers


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code == 429:
        seconds = retry_after_seconds() or 60
        minutes = math.ceil(seconds / 60)
        message = _("Please try again in %(minutes)d minute(s).", minutes=minutes)
        return render_error(429, message, {"Retry-After": str(seconds)})
    # Werkzeug's stock descriptions are English; only messages the site wrote are shown.
    custom = error.description != type(error).description
    message = error.description if custom and isinstance(error.description, str) else None
    if code == 413:
        limit_kb = (request.max_content_length or 0) // 1024
        message = _("The largest request accepted is %(size)d KB.", size=limit_kb)
    return render_error(code, message)


def handle_csrf_error(error: CSRFError):
    return render_error(
        400,
        _(
            "The form has expired or was not sent from this site. "
            "Please reload the page and try again."
        ),
    )


def handle_not_allowed(error: NotAllowed):
    return render_error(403, error.reason or None)


def handle_unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(500)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(NotAllowed, handle_not_allowed)
    app.register_error_handler(Exception, handle_unexpected)


def attach_errors(form, failure: ValidationFailed) -> None:
    """Show a service's (field, reason) pairs on a WTForms form; unknown fields go to the form."""
    for field, reason in failure.errors:
        target = getattr(form, field, None) if field else None
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, reason]
        else:
            form.form_errors.append(reason)
