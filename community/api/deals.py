"""GET /api/v1/deals: the live deals as JSON, with money, coupon and go link for active members
only (null for everyone else, decided on the server)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.api.views import authenticate_bearer
from community.clock import utcnow
from community.deals import services
from community.deals.models import PLATFORMS, Deal
from community.extensions import csrf, db
from community.membership.entitlements import is_member
from community.numbers import parse_int
from community.qa.markdown import clean_line, has_control_characters

bp = Blueprint("deals_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
bp.before_request(authenticate_bearer)

PER_PAGE = 20
MAX_PAGE = 1000
MAX_TEXT = 100


def text_argument(name: str) -> str | None:
    value = clean_line(request.args.get(name, ""))
    if len(value) > MAX_TEXT or has_control_characters(value):
        abort(400, description=_("%(name)s is too long or holds control characters.", name=name))
    return value or None


def deals_query() -> services.FeedQuery:
    """The query this request asks for; anything malformed answers 400."""
    page = parse_int(request.args.get("page", "1"), 1, MAX_PAGE)
    if page is None:
        abort(400, description=_("The page must be a number from 1 to %(count)d.", count=MAX_PAGE))
    platform = request.args.get("platform") or None
    if platform is not None and platform not in PLATFORMS:
        abort(400, description=_("Platform is one of: %(names)s.", names=", ".join(PLATFORMS)))
    return services.FeedQuery(
        platform=platform,
        category=text_argument("category"),
        q=text_argument("q"),
        page=page,
    )


def as_json(deal: Deal, member: bool, share: int) -> dict:
    return {
        "id": deal.id,
        "external_id": deal.external_id,
        "title": deal.title,
        "platform": deal.platform,
        "category": deal.category,
        "tags": deal.tag_names,
        "price": deal.price if member else None,
        "list_price": deal.list_price if member else None,
        "coupon": deal.coupon if member and deal.coupon else None,
        "expires_at": deal.expires_at.isoformat() if deal.expires_at else None,
        "estimated_rebate": services.estimated_rebate(deal, share) if member else None,
        "go_url": url_for("deals.go", deal_id=deal.id, _external=True) if member else None,
    }


@bp.route("/deals")
def deals():
    query = deals_query()
    member = is_member(current_user)
    share = services.rebate_share(current_user) if member else 0
    page = services.feed(query, utcnow(), page_size=PER_PAGE)
    body = {
        "total": page.total,
        "page": page.page,
        "results": [as_json(deal, member, share) for deal in page.deals],
    }
    db.session.commit()
    return jsonify(body)
