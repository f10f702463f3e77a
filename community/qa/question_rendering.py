"""The question page's content and the list rows, rendered once and shared where they can be.

Members who neither asked a question nor answered it all see the same page, but for their own
votes, their follow button and their CSRF token: that content renders once per question version,
language and time zone, with slots for those three, and is filled per viewer (fragments.py).
Everyone else (visitors, free users, authors, operators, previews, forms with errors) gets the
same template rendered for them alone. List rows are the same for everyone and are shared whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select

from community.extensions import db
from community.qa.access import ANY_MEMBER, Viewer
from community.qa.forms import AnswerForm
from community.qa.fragment_cache import cache_for, caching_enabled
from community.qa.fragments import Fragment, Slots, audience_key
from community.qa.models import Answer, Question
from community.qa.services import lists, votes
from community.templating import Chrome, chrome_for_request

DIRECTIONS = {"up": 1, "down": -1}


@dataclass(frozen=True)
class ViewerState:
    """One viewer's own state on a question page, as the templates ask for it.

    Anything else a slot asks for (the header's name, bell and paths) comes from `chrome`.
    """

    votes: dict
    following: bool
    token: str
    chrome: Chrome | None = None

    def __getattr__(self, name: str):
        if self.chrome is None or name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.chrome, name)

    def csrf_token(self) -> str:
        return self.token

    def mine(self, post) -> int | None:
        return self.votes.get(str(post))

    def vote_button(self, post, direction: str) -> Markup:
        """A vote button's value and class: pressing it again takes the vote back."""
        if self.mine(post) == DIRECTIONS[direction]:
            return Markup('value="clear" class="vote on"')
        return Markup('value="%s" class="vote"') % direction

    def follow_label(self) -> str:
        return _("Unfollow") if self.following else _("Follow")

    def follow_value(self) -> str:
        return "0" if self.following else "1"


def viewer_state(viewer: Viewer, question: Question, answer_ids, chrome=None) -> ViewerState:
    mine, following = votes.page_state(viewer.user_id, question.id, answer_ids)
    return ViewerState(
        votes={str(post): value for post, value in mine.items()},
        following=following,
        token=generate_csrf(),
        chrome=chrome,
    )


def plain_member_request() -> bool:
    """A signed-in, verified member with no messages waiting: the page's chrome takes the
    same branches for all of them, so a shared page fits."""
    return (
        current_user.is_authenticated
        and not current_user.is_operator
        and current_user.is_verified
        and not session.get("_flashes")
    )


def shares_question(viewer: Viewer, question: Question) -> bool:
    return (
        caching_enabled()
        and plain_member_request()
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
        "qa/show.html",
        page=page,
        question=question,
        viewer=ANY_MEMBER,
        state=Slots(),
        page_chrome=Slots(),
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


def shared_question_page(viewer: Viewer, question: Question) -> Markup | None:
    """The whole page for this viewer from the shared rendering, or None when it is not for them."""
    if not shares_question(viewer, question):
        return None
    key = (question.id, question.render_version, *audience_key())
    shared = cache_for("questions").get_or_build(key, lambda: build_shared_question(question))
    if viewer.user_id in shared.meta["authors"]:
        return None
    state = viewer_state(viewer, question, shared.meta["answer_ids"], chrome_for_request())
    return shared.fill(state)
