"""The question page, rendered once and shared by everyone it looks the same for.

Members who neither asked a question nor answered it all see the same page, but for their own
header, votes, follow button and CSRF token: the page renders once per question version,
language and time zone, with slots for those, and is filled per viewer (community/rendering).
Visitors share another rendering the same way. Everyone else (free users, authors, operators,
previews, forms with errors, pending messages) gets the page rendered for them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import render_template, session
from flask_login import current_user
from markupsafe import Markup

from community.i18n import gettext
from community.membership.tiers import tiers_for_sale
from community.qa.access import ANY_MEMBER, MEMBER, VISITOR, Viewer
from community.qa.forms import AnswerForm
from community.qa.pages.heads import QuestionHead
from community.qa.pages.shown import shown_question
from community.qa.services import lists, notifications
from community.rendering.cache import cache_for, caching_enabled
from community.rendering.fragments import Fragment, PageState, Slots, audience_key
from community.rendering.shared import building_shared
from community.templating import chrome_for_request


class QuestionGone(LookupError):
    """The question's row went away after its head was read (the page then answers 404)."""


PRESSED = Markup('value="clear" class="vote on"')


class VoteButtons:
    """One direction's vote button per post ("q" or an answer id): its value and class, so that
    pressing it again takes the vote back."""

    def __init__(self, votes: dict[str, int], direction: str) -> None:
        self.votes, self.value = votes, 1 if direction == "up" else -1
        self.unpressed = Markup('value="%s" class="vote"') % direction

    def __getitem__(self, post) -> Markup:
        return PRESSED if self.votes.get(str(post)) == self.value else self.unpressed


@dataclass(frozen=True, kw_only=True)
class ViewerState(PageState):
    """One viewer's own state on a question page, as the templates ask for it."""

    votes: dict
    following: bool

    @cached_property
    def vote_up(self) -> VoteButtons:
        return VoteButtons(self.votes, "up")

    @cached_property
    def vote_down(self) -> VoteButtons:
        return VoteButtons(self.votes, "down")

    def follow_label(self) -> str:
        return gettext("Unfollow") if self.following else gettext("Follow")

    def follow_value(self) -> str:
        return "0" if self.following else "1"


def viewer_state(head: QuestionHead, chrome=None) -> ViewerState:
    return ViewerState(votes=head.votes, following=head.following, chrome=chrome)


def plain_member_request(user) -> bool:
    """A signed-in, verified member with no messages waiting: the page's chrome takes the
    same branches for all of them, so a shared page fits."""
    return (
        user is not None
        and user.is_authenticated
        and not user.is_operator
        and user.is_verified
        and not session.get("_flashes")
    )


def visitor_request() -> bool:
    """Someone not signed in, with no messages waiting: every such page looks the same."""
    return not current_user.is_authenticated and not session.get("_flashes")


def audience(viewer: Viewer, head: QuestionHead) -> str | None:
    """Who a shared rendering of this page would be for: "member", "visitor" or nobody."""
    if not caching_enabled() or not head.approved or head.is_deleted or head.is_duplicate:
        return None
    if viewer.preview is not None:
        return None
    if viewer.user is None and visitor_request():
        return VISITOR
    if (
        viewer.reads_answers
        and not viewer.is_operator
        and viewer.user_id != head.author_id
        and plain_member_request(viewer.user)
    ):
        return MEMBER
    return None


def tiers_key(tiers) -> str:
    """The prices a visitor's page shows, as part of its key."""
    return "|".join(
        f"{tier.slug}:{tier.annual_price}:{tier.currency}:{tier.name}:{tier.name_en}"
        for tier in tiers
    )


def build_shared_question(head: QuestionHead, viewer: Viewer, tiers) -> Fragment:
    """Render the page for everyone `viewer` stands for (nothing of the requester can reach
    it: rendering/shared.py)."""
    with building_shared(signed_in=viewer.user is not None):
        question = shown_question(head.id)
        if question is None:
            raise QuestionGone(head.id)
        page = lists.question_page(question, viewer)
        html = render_template(
            "qa/show.html",
            page=page,
            question=question,
            viewer=viewer,
            state=Slots(),
            page_chrome=Slots(),
            answer_form=AnswerForm(formdata=None, meta={"csrf": False}),
            tiers=tiers,
        )
    return Fragment.parse(
        html,
        # Whoever asked or answered (even answers waiting or deleted) sees their own controls.
        authors=sorted({question.author_id, *page.answerers}),
        answer_ids=[answer.id for answer in page.answers],
    )


def shared_question_page(viewer: Viewer, head: QuestionHead) -> Markup | None:
    """The whole page for this viewer from a shared rendering, or None when none fits them.

    Members share one rendering per question version; visitors another (with the tier prices
    in its key, as the call to join shows them).
    """
    kind = audience(viewer, head)
    if kind is None:
        return None
    tiers = [] if kind == MEMBER or head.public else tiers_for_sale()
    key = (kind, head.id, head.render_version, *audience_key(), tiers_key(tiers))
    builder = ANY_MEMBER if kind == MEMBER else viewer
    try:
        shared = cache_for("questions").get_or_build(
            key, lambda: build_shared_question(head, builder, tiers)
        )
    except QuestionGone:
        return None
    if shared is None:
        return None
    if kind == MEMBER and viewer.user_id in shared.meta["authors"]:
        return None
    chrome = chrome_for_request(notifications.bell_count(current_user))
    return shared.fill(viewer_state(head, chrome))
