"""Helpers every template can use: money, dates, languages, links, the page's chrome."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import (
    Flask,
    current_app,
    get_flashed_messages,
    has_request_context,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup

from community.rendering.fragments import Fragment, Slots
from community.rendering.shared import PersonalValueRefused, building_shared

log = logging.getLogger(__name__)

CURRENCY_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$"}


def money(amount: int, currency: str = "CNY") -> str:
    """Format integer minor units: 19900 CNY -> ¥199, 19950 -> ¥199.50."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency + " ")
    major, minor = divmod(abs(amount), 100)
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{major:,}" if minor == 0 else f"{sign}{symbol}{major:,}.{minor:02d}"


def locale_code() -> str:
    """The request's locale as the site names it: "zh_CN" or "en"."""
    locale = get_locale()
    if locale is None:
        return "zh_CN"
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language


def current_path() -> str:
    """The path and query of this request ("/" for emails rendered by CLI jobs)."""
    return request.full_path.rstrip("?") if has_request_context() else "/"


def viewer_context() -> dict:
    """Every template's language and path."""
    code = locale_code()
    return {
        "current_locale": code,
        "html_lang": code.replace("_", "-"),
        "current_path": current_path(),
    }


def link(endpoint: str, **values) -> str:
    """`url_for` for the site's fixed addresses (the menu, stylesheets), built once per app.

    The header repeats a dozen of them on every page; building each is most of its cost.
    """
    links = current_app.extensions.setdefault("fixed_links", {})
    key = (request.script_root if has_request_context() else "", endpoint, *values.items())
    if key not in links:
        links[key] = url_for(endpoint, **values)
    return links[key]


ID_MARKER = 9_007_199_254_740_991


def url_with_id(endpoint: str, key: str, **values) -> Callable[[int], str]:
    """`url_for(endpoint, key=…, **values)` for many ids: the route is built once per call.

    A page linking every answer uses this instead of one `url_for` per answer and action.
    """
    built = url_for(endpoint, **{key: ID_MARKER}, **values)
    head, marker, tail = built.rpartition(str(ID_MARKER))
    if not marker or str(ID_MARKER) in head:
        return lambda value: url_for(endpoint, **{key: value}, **values)
    return lambda value: f"{head}{value}{tail}"


def link_with_id(endpoint: str, key: str, value: int) -> str:
    """`url_for(endpoint, key=value)` for an id, with the route built once per app."""
    builders = current_app.extensions.setdefault("id_links", {})
    route = (request.script_root if has_request_context() else "", endpoint, key)
    if route not in builders:
        builders[route] = url_with_id(endpoint, key)
    return builders[route](value)


class Chrome:
    """What the header and footer show of the viewer, asked through one object.

    `base.html` reads the viewer only through it, so a page rendered once for many members
    can stand a slot object in its place (community/rendering/) and fill it per request.
    `unread` is the bell's number, or None to ask the registered counter when shown.
    """

    def __init__(self, path: str, unread: int | None = None) -> None:
        self.path, self.unread = path, unread

    def csrf_token(self) -> str:
        return generate_csrf()

    def current_path(self) -> str:
        return self.path

    def login_url(self) -> str:
        """Sign in, then come back here."""
        return url_for("accounts.login", next=self.path)

    def user_name(self) -> str:
        return current_user.name

    def profile_url(self) -> str:
        return link_with_id("accounts.profile", "user_id", current_user.id)

    def unread_badge(self) -> Markup:
        unread = self.unread
        if unread is None:
            counter = current_app.extensions.get("unread_counter")
            unread = counter(current_user) if counter else 0
        if not unread:
            return Markup("")
        return Markup('<span class="count" data-testid="unread-count">%d</span>') % unread

    def header_notice(self) -> Markup:
        """A notice the registered provider wants in the header for this viewer (the renewal
        prompt), or nothing."""
        notice = current_app.extensions.get("header_notice")
        return notice(current_user) if notice else Markup("")

    def flash_messages(self) -> Markup:
        """The messages waiting for this viewer (shown once, then gone)."""
        messages = get_flashed_messages(with_categories=True)
        if not messages:
            return Markup("")
        lines = Markup("").join(
            Markup('<p class="flash flash-%s">%s</p>') % (category, message)
            for category, message in messages
        )
        return Markup('<div class="flashes" role="status">%s</div>') % lines


def register_unread_counter(app: Flask, counter: Callable) -> None:
    """Let the header's bell ask `counter(user)` for the number of unread notifications."""
    app.extensions["unread_counter"] = counter


def register_header_notice(app: Flask, notice: Callable) -> None:
    """Let the header show `notice(user)` (Markup) to a signed-in viewer."""
    app.extensions["header_notice"] = notice


@pass_context
def live_chrome(context) -> Chrome:
    return Chrome(context["current_path"])


def chrome_for_request(unread: int | None = None) -> Chrome:
    """The chrome of this request outside a template (filling a shared page), with the bell's
    number of unread notifications (asked of the registered counter when not given)."""
    return Chrome(current_path(), unread)


def site_header(chrome) -> Markup:
    """The header every page shows, rendered once per language and kind of viewer (visitor,
    member, operator) and filled with this page's chrome: the viewer's name, bell, token, paths.

    With templates reloading (debug), it is rendered each time instead.
    """
    key = (
        locale_code(),
        request.script_root if has_request_context() else "",
        current_user.is_authenticated,
        current_user.is_authenticated and current_user.is_operator,
    )
    headers = current_app.extensions.setdefault("site_headers", {})
    header = headers.get(key)
    if header is None:
        try:
            with building_shared(signed_in=key[2], operator=key[3]):
                header = Fragment.parse(render_template("_site_header.html", chrome=Slots()))
        except PersonalValueRefused:
            log.exception("the shared site header read one person's values; not shared")
            return Markup(render_template("_site_header.html", chrome=chrome))  # noqa: S704
        if not current_app.jinja_env.auto_reload:
            headers[key] = header
    return header.fill(chrome)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.context_processor(viewer_context)
    app.add_template_global(link)
    app.add_template_global(live_chrome)
    app.add_template_global(site_header)
