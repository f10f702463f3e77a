"""The member's deals as a private Atom feed (all live deals, or those one of their alerts asks
for), through the feed tokens the Q&A feeds use; and the link a page carries to it."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from community.clock import utcnow
from community.deals import alerts, services
from community.deals.models import Deal
from community.feeds.services import Feed, FeedEntry, feed_url_for, register_feed
from community.membership.entitlements import is_member
from community.numbers import parse_id
from community.qa.markdown import render as render_markdown

FEED_SIZE = 50
# Newest live deals an alert's feed picks its entries from.
ALERT_WINDOW = 1000


def entry_for(deal: Deal, share: int) -> FeedEntry:
    link = url_for("deals.show", deal_id=deal.id, _external=True)
    return FeedEntry(
        id=link,
        title=deal.title,
        link=link,
        updated=max(deal.starts_at, deal.updated_at),
        content_html=render_template(
            "deals/feed_entry.html",
            deal=deal,
            share=share,
            description=render_markdown(deal.description),
        ),
        categories=[category for category in [deal.category, *deal.tag_names] if category],
    )


def all_deals_feed(user, args):
    """Every live deal, newest first; None (403) for anyone who is not an active member."""
    if not is_member(user):
        return None
    moment = utcnow()
    deals = services.feed(services.FeedQuery(), moment, page_size=FEED_SIZE).deals
    share = services.rebate_share(user)
    return Feed(
        title=str(_l("Deals")),
        link=url_for("deals.index", _external=True),
        entries=[entry_for(deal, share) for deal in deals],
    )


def alert_feed(user, args):
    """The live deals one of the member's alerts asks for; 404 for an alert not theirs."""
    if not is_member(user):
        return None
    alert = alerts.alert_of(user, parse_id(args.get("alert", "")))
    if alert is None:
        abort(404)
    moment = utcnow()
    candidates = services.feed(services.FeedQuery(), moment, page_size=ALERT_WINDOW).deals
    share = services.rebate_share(user)
    chosen = [deal for deal in candidates if alerts.matches(alert, deal)][:FEED_SIZE]
    return Feed(
        title=str(_l("Deals: %(keywords)s", keywords=alert.keywords)),
        link=url_for("deals.index", _external=True),
        entries=[entry_for(deal, share) for deal in chosen],
    )


def deals_feed_url(alert_id: int | None = None) -> str | None:
    """The signed-in member's private feed URL (of one alert), when they have a feed token."""
    if not is_member(current_user):
        return None
    if alert_id is None:
        return feed_url_for(current_user, "deals")
    return feed_url_for(current_user, "deals-alert", alert=alert_id)


def register_deal_feeds() -> None:
    register_feed("deals", _l("Deals"), all_deals_feed, available=is_member)
    register_feed(
        "deals-alert", _l("Deals matching an alert"), alert_feed, listed=False, available=is_member
    )
