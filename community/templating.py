"""Helpers every template can use: money, dates, languages."""

from __future__ import annotations

from flask import Flask, has_request_context, request
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


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.context_processor(viewer_context)
