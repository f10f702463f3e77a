"""The deals' section of a member's home: the newest live deals, as the feed's member cards."""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from community.clock import utcnow
from community.deals import services
from community.deals.labels import card_words
from community.home import register_home_section, section_html
from community.membership.entitlements import is_member

SHOWN = 5


def live_deals_section(user) -> Markup | None:
    """For an active member, the newest live deals with their prices and rebates; for anyone
    else nothing (the deal feed's teaser is where they meet deals)."""
    if not is_member(user):
        return None
    deals = services.live_deals(SHOWN)
    if not deals:
        return None
    return section_html(
        "deals/home_deals.html",
        deals=deals,
        share=services.rebate_share(user),
        words=card_words(),
        moment=utcnow(),
    )


def init_app(app: Flask) -> None:
    register_home_section(app, "deals-live", 25, live_deals_section)
