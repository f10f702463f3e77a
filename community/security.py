"""Sign-in and role decorators, safe redirects and the security headers every response carries.

Membership checks (`member_required`, `entitlement_required`) are the membership domain's:
community/membership/decorators.py.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import SecurityError

from community.errors import render_error

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    # Stripe Checkout and the Customer Portal are reached by a redirect after a POST.
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com; "
    "frame-ancestors 'none'"
)


def safe_next_url(target: str | None, fallback: str = "/") -> str:
    """Return `target` if it is a path on this site, otherwise `fallback`."""
    if not target:
        return fallback
    target = target.strip()
    # Browsers treat backslashes as slashes and ignore tabs/newlines, so "/\\evil.com" escapes.
    if "\\" in target or any(ord(char) < 32 for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def rotate_csrf_secret() -> None:
    """Give this session a new CSRF secret, so tokens issued before (say, before signing in)
    no longer validate."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def login_required_view(view):
    """Send visitors to the login page, remembering where they were going."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def role_required(check, message):
    def decorator(view):
        @login_required_view
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403, description=message())
            return view(*args, **kwargs)

        return wrapped

    return decorator


def operator_required(view):
    return role_required(lambda user: user.is_operator, lambda: _("Operators only."))(view)


def admin_required(view):
    return role_required(lambda user: user.is_admin, lambda: _("Administrators only."))(view)


def security_headers(app: Flask) -> tuple[tuple[str, str], ...]:
    headers = (
        ("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"]),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )
    if app.config["ENV_NAME"] == "production":
        headers += (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)
    return headers


def set_security_headers(response):
    """Add each security header the response does not set itself, in one pass over its headers
    (werkzeug's setdefault scans them, and raises internally, once per header)."""
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend(
        [
            (name, value)
            for name, value in current_app.extensions["security_headers"]
            if name.lower() not in present
        ]
    )
    return response


def personal_response() -> None:
    """Mark this response as depending on who asks, for requests identified otherwise than by a
    session or a bearer token (a private feed URL's token), so no shared cache keeps it."""
    g.personal_response = True


def varies_on_authorization() -> None:
    """Mark this response as depending on the Authorization header (bearer tokens)."""
    g.varies_on_authorization = True


def keep_personal_responses_private(response):
    """`Cache-Control: private, no-store` on every response for an authenticated request
    (a session user, a bearer token, or a view's `personal_response()`); public pages for
    visitors stay cacheable. Responses the Authorization header changes say so in `Vary`."""
    user = g.get("_login_user")
    if g.get("personal_response") or getattr(user, "is_authenticated", False):
        response.headers["Cache-Control"] = "private, no-store"
    if g.get("varies_on_authorization"):
        response.vary.add("Authorization")
    return response


def refuse_untrusted_host(error: SecurityError):
    """A calm 400 for a Host outside TRUSTED_HOSTS, on the bare error page: no URL of the site
    can be built for such a request."""
    return render_error(400, _("This site does not answer to that address."), bare=True)


def init_security(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    app.extensions["security_headers"] = security_headers(app)
    app.after_request(set_security_headers)
    app.after_request(keep_personal_responses_private)
    app.register_error_handler(SecurityError, refuse_untrusted_host)
