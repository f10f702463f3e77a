"""The deal feed and deal pages: rendered once per key and shared, with slots for each viewer.

Every plain member with the same rebate share sees the same feed page and deal page; every
visitor sees the same teaser. What differs per person is the header (community/templating.py
Chrome), the CSRF token, their own 值/不值 vote and their private feed link: slots filled per
request (community/rendering/). A rendering is keyed by the deals' version (deals/versions.py:
any write a page shows changes it), the next moment a deal starts or ends, the language and
time zone, and the page's arguments; it lives a minute at most ("lists"), which bounds how far
"3 hours left" can drift. A deal page also names the related questions it shows with their
render versions, and is built again when one changed (made members-only, deleted). Operators,
unverified members, members with messages waiting and anyone whose comment the page shows get
a page rendered for them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import bindparam, select

from community.deals import services, versions
from community.deals.atom import deals_feed_url
from community.deals.discussion import discussion, discussion_for
from community.deals.filters import FeedQuery
from community.deals.labels import card_words
from community.deals.models import Deal
from community.extensions import db
from community.qa.access import ANY_MEMBER, ANYONE
from community.qa.markdown import render as render_markdown
from community.qa.models import Question
from community.qa.pages.question import plain_member_request, visitor_request
from community.rendering.cache import cache_for, caching_enabled
from community.rendering.fragments import Fragment, PageState, Slots, audience_key
from community.rendering.shared import building_shared
from community.templating import chrome_for_request

MEMBER, VISITOR = "member", "visitor"
# The feed's own arguments: a page with any other is rendered for its request alone.
FEED_ARGUMENTS = frozenset(
    ("platform", "category", "tag", "min_price", "max_price", "min_worth", "sort", "page", "q")
)


@dataclass(frozen=True, kw_only=True)
class DealState(PageState):
    """One viewer's own parts of a deal page or the feed; the header's come from `chrome`."""

    my_vote: bool | None = None
    feed_url: str | None = None

    def worth_class(self) -> str:
        return "" if self.my_vote is True else " secondary"

    def unworth_class(self) -> str:
        return "" if self.my_vote is False else " secondary"

    def worth_pressed(self) -> Markup:
        return Markup('aria-pressed="true"') if self.my_vote is True else Markup("")

    def unworth_pressed(self) -> Markup:
        return Markup('aria-pressed="true"') if self.my_vote is False else Markup("")

    def vote_hint(self) -> Markup:
        if self.my_vote is None:
            return Markup("")
        return Markup('<p class="hint">%s</p>') % _("You can change your vote at any time.")

    def feed_discovery(self) -> Markup:
        """The `<link rel="alternate">` a feed reader finds the member's private feed by."""
        if not self.feed_url:
            return Markup("")
        return Markup(
            '<link rel="alternate" type="application/atom+xml" title="%s · %s" href="%s">'
        ) % (_("Deals"), current_app.config["SITE_NAME"], self.feed_url)


def audience(member: bool) -> str | None:
    """Who a shared rendering would be for: every plain member, every visitor, or nobody."""
    if not caching_enabled():
        return None
    if not current_user.is_authenticated:
        return VISITOR if visitor_request() else None
    return MEMBER if member and plain_member_request(current_user) else None


def feed_page(viewer: dict, query: FeedQuery, notes: list, moment: datetime) -> str:
    """The feed (members) or its teaser (everyone else), shared when it can be."""
    kind = audience(viewer["member"]) if not notes else None
    if kind is not None and set(request.args) <= FEED_ARGUMENTS:
        version, boundary = versions.stamp(moment)
        key = (
            "feed",
            kind,
            viewer["share"],
            *audience_key(),
            version,
            boundary,
            *sorted(request.args.items(multi=True)),
        )

        def build() -> Fragment:
            with building_shared(signed_in=kind == MEMBER):
                html = render_feed(viewer, query, notes, moment, Slots(), Slots())
            return Fragment.parse(html)

        shared = cache_for("lists").get_or_build(key, build)
        if shared is not None:
            feed_url = deals_feed_url() if kind == MEMBER else None
            return shared.fill(DealState(chrome=chrome_for_request(), feed_url=feed_url))
    feed_url = deals_feed_url() if viewer["member"] else None
    return render_feed(viewer, query, notes, moment, DealState(feed_url=feed_url), None)


def render_feed(viewer: dict, query: FeedQuery, notes, moment, state, page_chrome) -> str:
    page = services.feed(query, moment, count_up_to=services.COUNTED)
    return render_template(
        "deals/index.html" if viewer["member"] else "deals/teaser.html",
        page=page,
        query=query,
        notes=notes,
        choices=services.feed_choices(moment) if viewer["member"] else None,
        moment=moment,
        viewer_state=state,
        page_chrome=page_chrome,
        words=card_words() if viewer["member"] else None,
        **viewer,
    )


@dataclass(frozen=True)
class DealFacts:
    """What a deal page asks before anything is built: the deal's stored status (None: there
    is no such deal), the deals' stamp (versions.py), and the signed-in viewer's vote."""

    status: str | None
    stamp: tuple[int, str]
    vote: bool | None


DEAL_FACTS = select(
    select(Deal.status).where(Deal.id == bindparam("deal_id")).scalar_subquery(),
    services.vote_column(),
    *versions.stamp_columns(),
)


def deal_facts(deal_id: int, moment: datetime) -> DealFacts:
    """The facts of a deal page at `moment`, in one statement."""
    viewer_id = current_user.id if current_user.is_authenticated else None
    parameters = {"deal_id": deal_id, "user_id": viewer_id, "moment": moment}
    status, vote, *stamp = db.session.connection().execute(DEAL_FACTS, parameters).one()
    return DealFacts(status=status, stamp=versions.stamp_of(*stamp), vote=vote)


def deal_page(deal_id: int, facts: DealFacts, viewer: dict, moment: datetime) -> str:
    """A deal's page for this viewer, shared when it can be; the deal (which must exist) is
    loaded only to build or render the page, not to serve a shared one."""
    kind = audience(viewer["member"])
    my_vote = facts.vote if viewer["member"] else None
    if kind is not None:
        version, boundary = facts.stamp
        key = ("deal", kind, deal_id, viewer["share"], *audience_key(), version, boundary)
        cache = cache_for("lists")

        def build() -> Fragment:
            return build_deal_page(existing_deal(deal_id), viewer, kind, moment)

        shared = cache.get_or_build(key, build)
        if shared is not None and shared.meta["related"] != related_versions(
            [question_id for question_id, _version in shared.meta["related"]]
        ):
            # A related question changed (made members-only, deleted, edited) since.
            shared = build()
            cache.put(key, shared)
        viewer_id = current_user.id if kind == MEMBER else None
        if shared is not None and viewer_id not in shared.meta["authors"]:
            return shared.fill(DealState(chrome=chrome_for_request(), my_vote=my_vote))
    deal = existing_deal(deal_id)
    talk = discussion_for(deal, current_user)
    state = DealState(my_vote=my_vote)
    deleter = current_user if current_user.is_authenticated else None
    return render_deal(deal, viewer, moment, talk, state, None, deleter)


def existing_deal(deal_id: int) -> Deal:
    """The deal, or 404 (deleted since its status was read)."""
    deal = services.load_deal(deal_id)
    if deal is None:
        abort(404)
    return deal


def build_deal_page(deal: Deal, viewer: dict, kind: str, moment: datetime) -> Fragment:
    talk = discussion(deal, kind == MEMBER, ANY_MEMBER if kind == MEMBER else ANYONE)
    with building_shared(signed_in=kind == MEMBER):
        html = render_deal(deal, viewer, moment, talk, Slots(), Slots())
    # Authors see their own delete buttons: their page is rendered for them.
    authors = sorted({comment.author_id for comment in talk.comments})
    related = related_versions([hit.id for hit in talk.related])
    return Fragment.parse(html, authors=authors, related=related)


def related_versions(question_ids: list[int]) -> list[list[int]]:
    """[id, render version] of each question still there: a shared deal page shows related
    questions as they were, so it is served only while these are unchanged."""
    if not question_ids:
        return []
    rows = db.session.execute(
        select(Question.id, Question.render_version).where(Question.id.in_(question_ids))
    )
    return sorted([question_id, version] for question_id, version in rows)


def render_deal(
    deal: Deal, viewer: dict, moment: datetime, talk, state, page_chrome, deleter=None
) -> str:
    """`deleter`: who may see delete buttons on comments (a page rendered for them alone)."""
    context = {
        "deleter": deleter,
        "deal": deal,
        "state": deal.state_at(moment),
        "moment": moment,
        "talk": talk,
        "viewer_state": state,
        "page_chrome": page_chrome,
        **viewer,
    }
    if viewer["member"]:
        context["description"] = render_markdown(deal.description)
        context["words"] = card_words()
    return render_template(
        "deals/show.html" if viewer["member"] else "deals/show_teaser.html", **context
    )
