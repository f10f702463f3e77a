"""Helpers every template can use: money, dates, languages."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import format_date, format_datetime, get_locale

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


def viewer_context() -> dict:
    """Every template's language and path ("/" for emails rendered by CLI jobs)."""
    code = locale_code()
    return {
        "current_locale": code,
        "html_lang": code.replace("_", "-"),
        "current_path": request.full_path.rstrip("?") if has_request_context() else "/",
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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.context_processor(viewer_context)
    app.add_template_global(link)
