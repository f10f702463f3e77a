"""The question lists' pages: shared whole between members, and between visitors.

A list page shows every member the same rows; what differs is the header (name, bell, CSRF
token), whether they follow the tag, their private feed link and the experts' tab. The page is
rendered once per key (the list, the page, the ids and render versions of its rows, the
language and time zone) with slots for those, as the question page is (pages/question.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from community.feeds import services as feeds
from community.qa.access import ANY_MEMBER, MEMBER, VISITOR, Viewer
from community.qa.models import Tag
from community.qa.pages.question import plain_member_request, visitor_request
from community.qa.services import experts, lists, notifications, votes
from community.rendering.cache import cache_for, caching_enabled
from community.rendering.fragments import Fragment, PageState, Slots, audience_key
from community.rendering.shared import building_shared
from community.templating import chrome_for_request

SHARED_KINDS = ("newest", "unanswered", "featured", "hot")


@dataclass(frozen=True, kw_only=True)
class ListState(PageState):
    """One viewer's own parts of a list page; the header's come from `chrome`."""

    following_tag: bool
    feed_url: str | None
    expert: bool

    def follow_label(self) -> str:
        return _("Unfollow tag") if self.following_tag else _("Follow tag")

    def follow_value(self) -> str:
        return "0" if self.following_tag else "1"

    def feed_link(self) -> Markup:
        if not self.feed_url:
            return Markup("")
        return Markup('<p class="muted"><a href="%s" data-testid="feed-link">%s</a></p>') % (
            self.feed_url,
            _("Atom feed (private link)"),
        )

    def feed_discovery(self) -> Markup:
        """The `<link rel="alternate">` feed readers find the list's feed by."""
        if not self.feed_url:
            return Markup("")
        return Markup('<link rel="alternate" type="application/atom+xml" title="%s" href="%s">') % (
            _("Atom feed (private link)"),
            self.feed_url,
        )

    def expert_link(self) -> Markup:
        if not self.expert:
            return Markup("")
        return Markup('<a href="%s">%s</a>') % (url_for("qa.expert_queue"), _("Experts' queue"))


def list_state(viewer: Viewer, kind: str, tag: Tag | None, chrome=None) -> ListState:
    feed_name = f"qa-{kind}" if tag is None else "qa-tag"
    return ListState(
        following_tag=votes.follows_tag(viewer.user_id, tag) if tag else False,
        feed_url=feeds.feed_url_for(current_user, feed_name, tag=tag.name if tag else None),
        expert=experts.is_expert(viewer.user),
        chrome=chrome,
    )


def list_audience(viewer: Viewer, kind: str) -> str | None:
    """Who a shared rendering of this list page would be for: "member", "visitor" or nobody."""
    if kind not in SHARED_KINDS or not caching_enabled() or viewer.preview is not None:
        return None
    if viewer.user is None and visitor_request():
        return VISITOR
    if viewer.reads_answers and plain_member_request(viewer.user):
        return MEMBER
    return None


def shared_list_page(viewer: Viewer, kind: str, number: int, tag: Tag | None) -> Markup | None:
    """The whole list page for this viewer from a shared rendering, or None."""
    audience = list_audience(viewer, kind)
    if audience is None:
        return None
    versions = lists.list_versions(kind, number, tag=tag)
    shown = versions[: lists.PAGE_SIZE]
    has_next = len(versions) > len(shown)
    key = (
        audience,
        kind,
        tag.id if tag else "",
        tag.name if tag else "",
        number,
        has_next,
        *audience_key(),
        *(f"{question_id}.{version}" for question_id, version in shown),
    )

    def build() -> Fragment:
        with building_shared(signed_in=audience == MEMBER):
            items = lists.questions_in_order([question_id for question_id, _version in shown])
            html = render_template(
                "qa/list.html",
                kind=kind,
                tag=tag,
                page=lists.Page(items=items, number=number, has_next=has_next),
                title_filter="",
                viewer=ANY_MEMBER if audience == MEMBER else viewer,
                state=Slots(),
                page_chrome=Slots(),
            )
        return Fragment.parse(html)

    shared = cache_for("lists").get_or_build(key, build)
    if shared is None:
        return None
    chrome = chrome_for_request(notifications.bell_count(current_user))
    return shared.fill(list_state(viewer, kind, tag, chrome))
