"""The Chinese catalog covers every string in the source, and requests get the right language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, ngettext

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "community" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
# The same keywords `make extract-messages` passes to pybabel.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
# Every %-conversion, named or not, including a literal "%%".
PLACEHOLDER_RE = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]"
)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER_RE.findall(text))


def extracted_messages() -> dict[str, tuple[str, ...]]:
    """msgid -> every form (singular, plural) of each translatable string in the source today."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, filename=str(ROOT / "babel.cfg"))
    messages: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        if not forms or not forms[0] or context:
            continue
        messages[forms[0]] = tuple(form for form in forms if form)
    return messages


def page_text(client, **kwargs) -> str:
    """GET / in its own app context, as the server does.

    The `app` fixture keeps one app context open for the whole test, so without this every
    request in a test would share `g`, where Flask-Babel caches the locale of the first one.
    """
    with client.application.app_context():
        return client.get("/", **kwargs).get_data(as_text=True)


def choose_language(client, lang: str):
    """A visitor's language switch: the footer's form carries no token for visitors."""
    with client.application.app_context():
        return client.post("/language", data={"lang": lang, "next": "/"})


@pytest.fixture(scope="module")
def source_messages():
    messages = extracted_messages()
    assert len(messages) > 50, "extraction found suspiciously few messages; is babel.cfg right?"
    return messages


@pytest.fixture(scope="module")
def zh_catalog():
    with open(CATALOG, "rb") as po:
        return read_po(po, locale="zh")


def test_catalog_header_is_chinese_with_one_plural_form(zh_catalog):
    assert str(zh_catalog.locale) == "zh"
    assert zh_catalog.num_plurals == 1
    assert zh_catalog.plural_expr.strip() == "0"
    assert not zh_catalog.fuzzy


def test_every_source_string_has_a_chinese_translation(source_messages, zh_catalog):
    missing = []
    for msgid in sorted(source_messages):
        message = zh_catalog.get(msgid)
        strings = () if message is None else message.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} message(s) lack a Chinese translation; run `make extract-messages` and "
        "translate them in community/translations/zh/LC_MESSAGES/messages.po:\n"
        + "\n".join(f"  {msgid!r}" for msgid in missing)
    )


def test_translations_keep_the_placeholders(source_messages, zh_catalog):
    wrong = []
    for msgid, forms in sorted(source_messages.items()):
        message = zh_catalog.get(msgid)
        if message is None:
            continue  # reported by the test above
        expected = set().union(*(placeholders(form) for form in forms))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if string and placeholders(string) != expected:
                wrong.append(f"  {msgid!r}: expected {sorted(expected)}, got {string!r}")
    assert not wrong, "translations whose placeholders differ from the source:\n" + "\n".join(wrong)


def test_compiled_catalog_is_used_for_chinese(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert gettext("Sign in") == "登录"
        assert (
            ngettext(
                "%(num)d friend joined through your link.",
                "%(num)d friends joined through your link.",
                3,
            )
            == "已有 3 位好友通过你的链接加入。"
        )
    with app.test_request_context(), force_locale("en"):
        assert gettext("Sign in") == "Sign in"


def test_home_page_is_chinese_by_default(client):
    page = page_text(client)
    assert 'lang="zh-CN"' in page
    assert "登录" in page
    assert "Sign in" not in page


def test_home_page_follows_accept_language(client):
    page = page_text(client, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in page
    assert "Sign in" in page
    assert "登录" not in page


def test_choosing_english_sticks_through_the_cookie(client):
    response = choose_language(client, "en")
    assert response.status_code == 302
    assert "lang=en" in response.headers.get("Set-Cookie", "")

    page = page_text(client)
    assert 'lang="en"' in page
    assert "Sign in" in page
    assert "登录" not in page

    # The cookie wins over a browser that prefers Chinese.
    page = page_text(client, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert 'lang="en"' in page

    choose_language(client, "zh_CN")
    page = page_text(client, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="zh-CN"' in page
    assert "登录" in page
