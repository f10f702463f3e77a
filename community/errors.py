"""Domain errors raised by services, and the HTTP error pages.

An error page must not fail in turn: when the database is what failed it is answered as to a
visitor (no user to load) with a 503, and when the full page cannot be built (a malformed Host
leaves no URLs, or the page itself fails) a bare one built from the request alone stands in.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

import flask_babel
from flask import Flask, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadHost, HTTPException, InternalServerError

from community.database import database_unavailable
from community.extensions import db, limiter, login_manager
from community.failure_log import log_failure
from community.templating import locale_code

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
    503: _l("The site is briefly unavailable"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def retry_after_seconds() -> int | None:
    """Seconds until the limit that refused this request resets, if a limit did."""
    try:
        current = limiter.current_limit
        return None if current is None else max(1, int(current.reset_at - time.time()))
    except Exception:  # the limit store may be what is failing; the caller has a default
        return None


def render_error(
    code: int, message: str | None = None, headers: dict | None = None, bare: bool = False
):
    """The error as JSON under /api/ (or when asked for), otherwise as a page; `bare` skips the
    full page (which reads the viewer) for one built from the request alone."""
    try:
        response = error_body(code, message, bare)
    except Exception as failure:
        # Translating the page reads the viewer's language, and loading the viewer can fail
        # (the database being down); answer as to a visitor instead of failing in turn.
        log_failure(log, "the %d page could not be rendered", code, error=failure)
        forget_viewer()
        response = error_body(code, message, bare=True)
    headers = dict(headers or {})
    if code == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response, code, headers


def error_body(code: int, message: str | None, bare: bool):
    title = str(ERROR_TITLES.get(code, ERROR_TITLES[500]))
    message = str(message) if message else None
    if wants_json():
        body = {"error": title, "status": code}
        if message:
            body["message"] = message
        return jsonify(body)
    if bare or request_ctx.url_adapter is None:
        # A malformed Host leaves no URLs to build.
        return bare_error_page(code, title, message)
    return render_template("errors/error.html", code=code, title=title, message=message)


def bare_error_page(code: int, title: str, message: str | None) -> str:
    """An error page from the request alone: no viewer, no database, no URL building."""
    root = request.script_root
    return current_app.jinja_env.get_template("errors/bare.html").render(
        code=code,
        title=title,
        message=message,
        html_lang=locale_code().replace("_", "-"),
        site_name=current_app.config["SITE_NAME"],
        stylesheet=f"{root}{current_app.static_url_path}/css/site.css",
        home_url=f"{root}/",
        home_label=_("Back to the home page"),
    )


def forget_viewer() -> None:
    """Answer this request as to a visitor: no user is loaded, and the language comes from the
    language cookie or the browser."""
    g._login_user = login_manager.anonymous_user()
    flask_babel.refresh()


def discard_session() -> None:
    """Roll the request's transaction back; when its connection is dead, drop the connection."""
    try:
        db.session.rollback()
    except Exception:
        # The request's own Session (a scoped session does not pass `invalidate` on).
        db.session().invalidate()


def handle_database_unavailable(error: Exception):
    discard_session()
    log_failure(log, "database unavailable on %s %s", request.method, request.path, error=error)
    forget_viewer()
    seconds = current_app.config["DATABASE_RETRY_AFTER"]
    message = _("We cannot reach our data right now. Please try again in a few seconds.")
    return render_error(503, message, {"Retry-After": str(seconds)}, bare=True)


def handle_http_error(error: HTTPException):
    code = error.code or 500
    original = getattr(error, "original_exception", None)
    if isinstance(error, InternalServerError) and original and database_unavailable(original):
        return handle_database_unavailable(original)
    if isinstance(error, BadHost):
        return render_error(400, _("This request names a host that is not valid."), bare=True)
    if code == 429:
        seconds = retry_after_seconds() or 60
        minutes = math.ceil(seconds / 60)
        message = ngettext(
            "Please try again in %(num)d minute.", "Please try again in %(num)d minutes.", minutes
        )
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
    if database_unavailable(error):
        return handle_database_unavailable(error)
    discard_session()
    log_failure(log, "unhandled error on %s %s", request.method, request.path, error=error)
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
