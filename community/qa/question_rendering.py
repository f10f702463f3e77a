"""The question page's content and the list rows, rendered once and shared where they can be.

Members who neither asked a question nor answered it all see the same page, but for their own
votes, their follow button and their CSRF token: that content renders once per question version,
language and time zone, with slots for those three, and is filled per viewer (fragments.py).
Everyone else (visitors, free users, authors, operators, previews, forms with errors) gets the
same template rendered for them alone. List rows are the same for everyone and are shared whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from community.extensions import db
from community.qa.access import ANY_MEMBER, Viewer
from community.qa.forms import AnswerForm
from community.qa.fragment_cache import cache_for, caching_enabled
from community.qa.fragments import Fragment, Slots, audience_key
from community.qa.models import Answer, Question, Tag
from community.qa.services import lists, votes

DIRECTIONS = {"up": 1, "down": -1}
SHARED_KINDS = ("newest", "unanswered", "featured", "hot")


@dataclass(frozen=True)
class ViewerState:
    """One viewer's own state on a question page, as the template asks for it."""

    votes: dict
    following: bool
    token: str

    def csrf_token(self) -> str:
        return self.token

    def mine(self, post) -> int | None:
        return self.votes.get(str(post))

    def vote_value(self, post, direction: str) -> str:
        return "clear" if self.mine(post) == DIRECTIONS[direction] else direction

    def vote_on(self, post, direction: str) -> str:
        return " on" if self.mine(post) == DIRECTIONS[direction] else ""

    def follow_label(self) -> str:
        return _("Unfollow") if self.following else _("Follow")

    def follow_value(self) -> str:
        return "0" if self.following else "1"


def viewer_state(viewer: Viewer, question: Question, answer_ids) -> ViewerState:
    mine, following = votes.page_state(viewer.user_id, question.id, answer_ids)
    return ViewerState(
        votes={str(post): value for post, value in mine.items()},
        following=following,
        token=generate_csrf(),
    )


def shares_question(viewer: Viewer, question: Question) -> bool:
    return (
        caching_enabled()
        and viewer.reads_answers
        and viewer.user is not None
        and not viewer.is_operator
        and viewer.preview is None
        and viewer.user_id != question.author_id
        and question.approved
        and not question.is_deleted
    )


def build_shared_question(question: Question) -> Fragment:
    page = lists.question_page(question, ANY_MEMBER)
    html = render_template(
        "qa/_question.html",
        page=page,
        question=question,
        viewer=ANY_MEMBER,
        state=Slots(),
        answer_form=AnswerForm(formdata=None),
    )
    if generate_csrf() in html:
        raise RuntimeError("a shared rendering must not carry the viewer's CSRF token")
    answerers = db.session.scalars(
        select(Answer.author_id).where(Answer.question_id == question.id).distinct()
    )
    return Fragment.parse(
        html,
        # Whoever asked or answered (even answers waiting or deleted) sees their own controls.
        authors=sorted({question.author_id, *answerers}),
        answer_ids=[answer.id for answer in page.answers],
    )


def shared_question_content(viewer: Viewer, question: Question) -> Markup | None:
    """The content for this viewer from the shared rendering, or None when it is not for them."""
    if not shares_question(viewer, question):
        return None
    key = (question.id, question.render_version, *audience_key())
    shared = cache_for("questions").get_or_build(key, lambda: build_shared_question(question))
    if viewer.user_id in shared.meta["authors"]:
        return None
    return shared.fill(viewer_state(viewer, question, shared.meta["answer_ids"]))


def shared_list_rows(kind: str, page_number: int, tag: Tag | None) -> tuple[Markup, bool] | None:
    """A list page's rows, shared by everyone, and whether a next page exists."""
    if kind not in SHARED_KINDS or not caching_enabled():
        return None
    versions = lists.list_versions(kind, page_number, tag=tag)
    shown = versions[: lists.PAGE_SIZE]
    key = (kind, tag.id if tag else "", *audience_key(), *(f"{qid}.{v}" for qid, v in shown))

    def build() -> Fragment:
        items = lists.questions_in_order([question_id for question_id, _version in shown])
        return Fragment.parse(render_template("qa/_rows.html", items=items, kind=kind))

    rows = cache_for("lists").get_or_build(key, build).fill(None)
    return rows, len(versions) > len(shown)
