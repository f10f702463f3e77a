"""Which language a request is answered in: user setting, then cookie, then Accept-Language."""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

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


@pass_eval_context
def template_gettext(eval_context, string: str, **variables) -> str:
    """Jinja's "newstyle" gettext: translated, marked safe where the template autoescapes (so
    the variables are escaped), then always formatted with them."""
    translated = translations().ugettext(string)
    if eval_context.autoescape:
        translated = Markup(translated)  # noqa: S704 - the catalog's text, as Jinja marks it
    return translated % variables


@pass_eval_context
def template_ngettext(eval_context, singular: str, plural: str, num: int, **variables) -> str:
    """Jinja's "newstyle" ngettext, with `num` among the variables."""
    variables.setdefault("num", num)
    translated = translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        translated = Markup(translated)  # noqa: S704 - the catalog's text, as Jinja marks it
    return translated % variables


def install_template_gettext(app: Flask) -> None:
    """Templates' gettext callables through `translations()` (after Babel's own setup).

    `_`, `gettext` and `ngettext` are the newstyle functions themselves: Jinja's own wrappers
    make three context calls per string, and a page translates dozens.
    """
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
