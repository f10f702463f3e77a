"""Which language a request is answered in: user setting, then cookie, then Accept-Language."""

from __future__ import annotations

from functools import cache

from babel import Locale
from flask import current_app, has_request_context, request
from flask_login import current_user

LANGUAGE_COOKIE = "lang"


def supported_locale(value: str | None) -> str | None:
    if not value:
        return None
    value = value.replace("-", "_")
    for locale in current_app.config["LANGUAGES"]:
        if (
            value.lower() == locale.lower()
            or value.lower().split("_")[0] == locale.lower().split("_")[0]
        ):
            return locale
    return None


@cache
def parsed_locale(code: str) -> Locale:
    """Babel's Locale for a code, parsed once per process (parsing scans every known locale)."""
    return Locale.parse(code)


def select_locale() -> Locale:
    return parsed_locale(chosen_locale())


def chosen_locale() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale:
        return current_user.locale
    chosen = supported_locale(request.cookies.get(LANGUAGE_COOKIE))
    if chosen:
        return chosen
    for value, _quality in request.accept_languages:
        chosen = supported_locale(value)
        if chosen:
            return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
