"""Which language a request is answered in: user setting, then cookie, then Accept-Language."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
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


def translations() -> NullTranslations:
    """Flask-Babel's translations, looked up once per locale and app context.

    Templates call gettext dozens of times a page; Flask-Babel resolves the context, locale and
    catalog on every call. Keyed by the locale object, so `force_locale` (emails) still works.
    """
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    found = getattr(state, "resolved_translations", None)
    if found is not None and found[0] is locale:
        return found[1]
    resolved = get_translations()
    state.resolved_translations = (locale, resolved)
    return resolved


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` through `translations()`, for strings asked on every request."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def install_template_gettext(app: Flask) -> None:
    """Templates' `_` and `ngettext` through `translations()` (after Babel's own setup)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
