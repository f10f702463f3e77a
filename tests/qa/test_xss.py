"""Known XSS payloads in every field members control render inert in pages and feeds."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from community.accounts.models import User
from community.extensions import db
from community.feeds import services as feeds
from community.qa.services import answers, questions

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](vbscript:msgbox(1))",
    '<div style="display:none">hidden</div>',
    '<p style="position:fixed;top:0">overlay</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
    "<base href=javascript:alert(1)//>",
    "<link rel=stylesheet href=javascript:alert(1)>",
    "<style>@import 'javascript:alert(1)'</style>",
    "<marquee onstart=alert(1)>",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x](  javascript:alert(1) )",
    "<scr<script>ipt>alert(1)</script>",
    "{{ 7*7 }}<%= 7*7 %>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "`<script>alert(1)</script>`",
]
FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "base",
    "style",
    "marquee",
    "svg",
    "math",
    "noscript",
    "frame",
    "frameset",
    "applet",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
SITE_SCRIPTS = {"/static/js/site.js", "/static/js/toolbar.js"}


class InertChecker(HTMLParser):
    """Collects every way the parsed page could run script or hide content."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "script" and attributes.get("src") not in SITE_SCRIPTS:
            self.problems.append("<script> not from the site")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=>")
            if name == "style":
                self.problems.append(f"<{tag} style=>")
            if name in URL_ATTRIBUTES and value:
                folded = "".join(ch for ch in value if ch > " ").lower()
                if folded.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def assert_inert(html: str, where: str) -> None:
    checker = InertChecker()
    checker.feed(html)
    assert not checker.problems, f"{where}: {checker.problems}"


@pytest.fixture
def poisoned(app, make_user):
    """Every user-controlled field carries a payload; returns (question ids, reader)."""
    ids = []
    reader = make_user(tier="member", name="读者")
    for index, payload in enumerate(PAYLOADS):
        author = make_user(tier="member")
        db.session.execute(db.update(User).where(User.id == author.id).values(name=payload[:40]))
        db.session.refresh(author)
        question = questions.ask_question(
            author, f"问题{index} {payload}"[:150], f"正文 {payload}\n\n{payload}", f"t{index}"
        )
        answer = answers.post_answer(reader, question, f"回答 {payload}")
        answers.add_comment(author, question, f"评论 {payload}", answer)
        ids.append(question.id)
    db.session.commit()
    return ids, reader


def test_at_least_thirty_payloads():
    assert len(PAYLOADS) >= 30


def test_payloads_render_inert_in_pages(client, login, poisoned, operator):
    ids, reader = poisoned
    login(client, reader)
    for question_id in ids:
        page = client.get(f"/qa/{question_id}").get_data(as_text=True)
        assert_inert(page, f"question {question_id}")
    for url in (
        "/qa/",
        "/qa/?page=2",
        "/qa/unanswered",
        "/qa/hot",
        "/qa/tags/",
        "/qa/notifications",
    ):
        assert_inert(client.get(url).get_data(as_text=True), url)
    login(client, operator)
    for url in ("/qa/review", "/qa/manage/tags", f"/qa/{ids[0]}/revisions"):
        assert_inert(client.get(url).get_data(as_text=True), url)


def test_payloads_render_inert_in_feeds(client, poisoned):
    _ids, reader = poisoned
    token = feeds.rotate_token(reader)
    db.session.commit()
    feed = client.get(f"/feeds/{feeds.url_token(token)}/qa-newest.atom").get_data(as_text=True)
    # Entry content is escaped HTML inside XML; unescape once to inspect what a reader renders.
    for content in re.findall(r"<content type=\"html\">(.*?)</content>", feed, re.S):
        assert_inert(html.unescape(content), "feed content")
    titles = re.findall(r"<title>(.*?)</title>", feed, re.S)
    assert titles and all("<script" not in title for title in titles)


def test_bad_tags_are_refused_not_stored(member):
    from community.errors import ValidationFailed

    for payload in ("<script>", 'a"onmouseover=x', "javascript:alert(1)"):
        with pytest.raises(ValidationFailed):
            questions.ask_question(member, "标签里有脚本", "正文", payload)
