"""Markdown in, safe HTML out: markdown-it-py renders, nh3 keeps only harmless markup."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata

import nh3
from markdown_it import MarkdownIt

from community.media.paths import is_image_path

TEASER_LENGTH = 140


def render_image(self, tokens, idx, options, env) -> str:
    """A picture uploaded to this site; any other image is shown as its alt text, so a post
    cannot make readers' browsers fetch from elsewhere (trackers, unchecked files)."""
    token = tokens[idx]
    if not is_image_path(token.attrGet("src") or ""):
        return html_lib.escape(self.renderInlineAsText(token.children or [], options, env))
    token.attrSet("loading", "lazy")
    return self.image(tokens, idx, options, env)


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": False})
    .enable("table")
    .enable("strikethrough")
)
_markdown.add_render_rule("image", render_image)

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "em", "strong", "del", "s", "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
# No javascript:, data: or other schemes a browser would run or inline.
URL_SCHEMES = {"http", "https", "mailto"}
CODE_CLASS = re.compile(r"^language-[\w+-]{1,30}$")


def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "code" and attribute == "class":
        return value if CODE_CLASS.match(value) else None
    if tag == "img" and attribute == "src":
        return value if is_image_path(value) else None
    return value


def render(text: str) -> str:
    """Render member Markdown to HTML that is safe to place in any page or feed."""
    return cleaned(_markdown.render(text or ""))


def render_with_teaser(text: str) -> tuple[str, str]:
    """`render(text)` and `teaser(text)` from one parse (an import renders thousands)."""
    html = _markdown.render(text or "")
    return cleaned(html), cut(words_of(html))


def cleaned(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
        attribute_filter=keep_attribute,
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """The readable words of Markdown, without markup, on one line."""
    return words_of(_markdown.render(text or ""))


def words_of(html: str) -> str:
    words = nh3.clean(html, tags=set(), attributes={})
    return " ".join(html_lib.unescape(words).split())


def teaser(text: str, length: int = TEASER_LENGTH) -> str:
    """The first `length` characters of the plain text, cut on a whole character."""
    return cut(plain_text(text), length)


def cut(words: str, length: int = TEASER_LENGTH) -> str:
    if len(words) <= length:
        return words
    return words[:length].rstrip() + "…"


def clean_line(text: str | None) -> str:
    """One line of user text with its whitespace collapsed.

    Not NFKC-folded: that would turn Chinese full-width punctuation (？，) into ASCII.
    """
    return " ".join((text or "").split())


def has_control_characters(text: str) -> bool:
    # str.isprintable() is false for every character of these categories (and for a few
    # harmless ones, such as the ideographic space), so text it passes needs no look at each
    # character: most text, read in C.
    if text.replace("\n", "").replace("\r", "").replace("\t", "").isprintable():
        return False
    return any(
        unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") and char not in "\n\r\t"
        for char in text
    )
