"""A deal shared away from the site: its Open Graph card and card image, which show only what
anyone may read of a deal (title, platform, category), never a price, coupon or link."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _

from community.deals.labels import PLATFORMS
from community.deals.models import DRAFT, Deal
from community.deals.views import bp
from community.extensions import db
from community.sharing.cards import card_response
from community.sharing.meta import ShareCard, share_card

# An hour bounds how long a shared cache keeps a card after its deal is taken down.
PUBLIC_MAX_AGE = 3600


@bp.app_template_global()
def deal_share_card(deal: Deal) -> ShareCard:
    facts = [str(PLATFORMS.get(deal.platform, deal.platform)), deal.category or ""]
    description = " · ".join(fact for fact in facts if fact) or _("Deals for members")
    return share_card(
        deal.title, description, "deals.show", "deals.share_card_image", deal_id=deal.id
    )


@bp.route("/deals/<int:deal_id>/card.png")
def share_card_image(deal_id: int):
    deal = db.session.get(Deal, deal_id)
    if deal is None or deal.status == DRAFT:
        abort(404)
    return card_response(deal.title, PUBLIC_MAX_AGE)
