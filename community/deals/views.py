"""Members' deal pages: the feed (a teaser for everyone else), a deal's page, 值/不值 votes, and
the go link that records the click and sends a member to the deal's own address."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.affiliate.services import identity_of
from community.clock import utcnow
from community.deals import pages, services
from community.deals.filters import parse_feed_query
from community.deals.labels import template_labels
from community.deals.links import MissingBinding, destination
from community.deals.models import DRAFT, LIVE, Deal
from community.extensions import db
from community.membership.decorators import member_required
from community.membership.entitlements import is_member

bp = Blueprint("deals", __name__)
bp.app_context_processor(template_labels)


def may_see(status: str | None) -> bool:
    """Drafts exist only for operators; a deal with no status does not exist."""
    if status is None:
        return False
    return status != DRAFT or (current_user.is_authenticated and current_user.is_operator)


def visible_deal(deal_id: int) -> Deal:
    """The deal, or 404."""
    deal = db.session.get(Deal, deal_id)
    if deal is None or not may_see(deal.status):
        abort(404)
    return deal


def member_view() -> dict:
    """What a page shows of money: for an active member, their tier's share; else nothing."""
    member = is_member(current_user)
    if not member:
        return {"member": False, "share": 0}
    return {"member": True, "share": services.rebate_share(current_user)}


@bp.route("/deals/")
def index():
    viewer = member_view()
    query, notes = parse_feed_query(request.args, member=viewer["member"])
    html = pages.feed_page(viewer, query, notes, utcnow())
    # After rendering: a commit expires the loaded deals, and the page would load each again.
    db.session.commit()
    return html


@bp.route("/deals/<int:deal_id>")
def show(deal_id: int, status: int = 200):
    # The deal itself is loaded only when its page is built or rendered for one viewer.
    moment = utcnow()
    facts = pages.deal_facts(deal_id, moment)
    if not may_see(facts.status):
        abort(404)
    page = pages.deal_page(deal_id, facts, member_view(), moment)
    db.session.commit()
    return page, status


@bp.route("/deals/<int:deal_id>/vote", methods=["POST"])
@member_required
def cast_vote(deal_id: int):
    deal = visible_deal(deal_id)
    choice = request.form.get("vote")
    if choice not in ("worth", "unworth"):
        abort(400, description=_("Choose 值 or 不值."))
    if deal.state_at(utcnow()) != LIVE:
        abort(409, description=_("This deal has ended; it takes no more votes."))
    services.vote(current_user, deal, choice == "worth")
    db.session.commit()
    return redirect(url_for("deals.show", deal_id=deal.id, _anchor="votes"), 303)


@bp.route("/go/<int:deal_id>")
@bp.route("/go/<int:deal_id>/<path:_ignored>", merge_slashes=False)
def go(deal_id: int, _ignored: str | None = None):
    """Only ever the deal's own template, filled from the member's identity: nothing in the
    request (path, query, fragment) takes part in the address."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for("deals.go", deal_id=deal_id)))
    deal = visible_deal(deal_id)
    if not is_member(current_user):
        return redirect(url_for("billing.pricing"))
    if deal.state_at(utcnow()) != LIVE:
        return show(deal.id, status=410)
    identity = identity_of(current_user)
    try:
        target = destination(deal.url_template, identity)
    except MissingBinding as missing:
        page = render_template("deals/binding.html", deal=deal, field=missing.field)
        db.session.commit()
        return page, 409
    services.record_click(
        current_user,
        deal,
        services.hashed_ip(request.remote_addr, current_app.config["SECRET_KEY"]),
        request.user_agent.string,
    )
    db.session.commit()
    response = redirect(target, 302)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
