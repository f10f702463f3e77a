"""Absolute links to this site for text read away from the page, such as mail.

They are built from `SITE_URL`, never from the Host header a request arrived with: a forged Host
would otherwise put someone else's address in a password-reset mail.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def site_url(endpoint: str, **values) -> str:
    """The absolute address of `endpoint` (with `values`) under the configured SITE_URL."""
    app = current_app._get_current_object()
    parts = urlsplit(app.config["SITE_URL"])
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """The path of `endpoint` under SITE_URL (for links kept in rows and shown later), built the
    same with or without a request."""
    app = current_app._get_current_object()
    parts = urlsplit(app.config["SITE_URL"])
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/")
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values)
