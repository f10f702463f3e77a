"""Visitors' public pages, cacheable at the edge: no session, `Cache-Control: public`, an ETag.

A request that carries no cookie and no Authorization header is a visitor's who has not signed
in and posted no form; if answering it made no session either (no form was rendered, so no CSRF
token), the page is the same for every such visitor. It gets `Cache-Control: public,
max-age=0, s-maxage=PUBLIC_CACHE_SECONDS`, an ETag (a matching If-None-Match gets 304) and no
`Vary: Cookie`, so a proxy or CDN in front can serve it. It varies by `Accept-Language` (the
page's language). Browsers keep it too but must ask again each time (max-age=0): the visitor who
signs in next asks with their cookie and gets their own page, not the teaser they saw before.

Anything else keeps what it had: personal responses are `private, no-store`
(security.keep_personal_responses_private), and a page that has just made a session (a form's
token) is marked `private, no-store` here, since its token belongs to one visitor.
"""

from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

PERSONAL = "private, no-store"


def may_be_public(response) -> bool:
    """A 200 to a cookie-less, unauthenticated GET that set nothing and said nothing itself."""
    user = g.get("_login_user")
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not request.cookies
        and "Authorization" not in request.headers
        and "Cache-Control" not in response.headers
        and "Set-Cookie" not in response.headers
        and not g.get("personal_response")
        and not getattr(user, "is_authenticated", False)
        and not session
        and not session.modified
        and not response.is_streamed
    )


def mark_visitor_pages(response):
    """Public and tagged for the edge, or private when this response just made a session."""
    if may_be_public(response):
        response.cache_control.public = True
        response.cache_control.max_age = 0
        response.cache_control.s_maxage = current_app.config["PUBLIC_CACHE_SECONDS"]
        response.vary.add("Accept-Language")
        response.add_etag()
        response.make_conditional(request)
    elif session.modified and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PERSONAL
    return response


class VisitorSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without `Vary: Cookie` on a public page: the session was
    only looked at (empty), and the page is the same whatever cookie a later visitor sends the
    edge (which passes requests with cookies through; see README, Visitors at the edge)."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if response.cache_control.public:
            kept = [value for value in response.vary if value.lower() != "cookie"]
            response.headers["Vary"] = ", ".join(kept)


def init_app(app: Flask) -> None:
    app.session_interface = VisitorSessionInterface()
    app.after_request(mark_visitor_pages)
