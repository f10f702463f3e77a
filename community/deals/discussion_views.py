"""Comments on a deal page, and what the deal page shows below its card (the discussion)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.deals import discussion
from community.deals.atom import deals_feed_url
from community.deals.member_models import DealComment
from community.deals.models import DRAFT, Deal
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.membership.decorators import member_required
from community.qa.forms import CommentForm
from community.security import login_required_view

bp = Blueprint("deal_comments", __name__)


@bp.app_context_processor
def discussion_helpers() -> dict:
    """The alerts page asks for each alert's Atom link by this name."""
    return {"deals_feed_url": deals_feed_url}


def published_deal(deal_id: int) -> Deal:
    deal = db.session.get(Deal, deal_id)
    if deal is None or deal.status == DRAFT:
        abort(404)
    return deal


@bp.route("/deals/<int:deal_id>/comments", methods=["POST"])
@member_required
def comment(deal_id: int):
    deal = published_deal(deal_id)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400, description=_("Write a comment of up to 600 characters."))
    try:
        added = discussion.add_comment(current_user, deal, form.body.data)
    except ValidationFailed as failure:
        db.session.rollback()
        abort(400, description=" ".join(reason for _field, reason in failure.errors))
    db.session.commit()
    return redirect(url_for("deals.show", deal_id=deal.id, _anchor=f"c{added.id}"), 303)


@bp.route("/deals/comments/<int:comment_id>/delete", methods=["POST"])
@login_required_view
def delete_comment(comment_id: int):
    comment = db.session.get(DealComment, comment_id)
    if comment is None or comment.deleted_at is not None:
        abort(404)
    try:
        discussion.delete_comment(current_user, comment)
    except NotAllowed as refusal:
        abort(403, description=str(refusal))
    db.session.commit()
    return redirect(url_for("deals.show", deal_id=comment.deal_id, _anchor="comments"), 303)
