"""Helpers every template can use: money, the viewer's standing, languages."""

from __future__ import annotations

from flask import Flask, has_request_context, request
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

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
    from community.billing.entitlements import standing

    if not has_request_context():
        # Emails rendered by CLI jobs (digests) have no request and no viewer.
        return {"viewer_standing": None, "current_locale": locale_code(), "current_path": "/"}
    code = locale_code()
    # Emails rendered by CLI jobs have no request and so no viewer.
    in_request = has_request_context()
    signed_in = in_request and current_user.is_authenticated
    return {
        "viewer_standing": standing(current_user) if signed_in else None,
        "current_locale": code,
        "html_lang": code.replace("_", "-"),
        "current_path": request.full_path.rstrip("?") if in_request else "/",
    }


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.context_processor(viewer_context)
