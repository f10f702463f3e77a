"""Tips (爆料): the member's form and their tips with each one's outcome, and the operators'
review queue where a tip is completed and published, or turned down with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from community.clock import utcnow
from community.deals import publishing, tips
from community.deals.forms import COLUMNS, DealForm
from community.deals.member_models import PENDING, DealTip
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db, limiter
from community.membership.decorators import member_required
from community.security import operator_required

bp = Blueprint("deal_tips", __name__)


class TipForm(FlaskForm):
    url = StringField(_l("Link to the item"))
    title = StringField(_l("What is it?"))
    price = StringField(_l("Price now (yuan)"))
    reason = TextAreaField(_l("Why is it a good deal?"))


def put_errors(form: FlaskForm, failure: ValidationFailed, fields: dict | None = None) -> None:
    """Each reason under its field (the form's own name or, through `fields`, a column's)."""
    for name, reason in failure.errors:
        field = getattr(form, (fields or {}).get(name, name or ""), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, reason]
        else:
            form.form_errors.append(reason)


@bp.route("/deals/tips/new", methods=["GET", "POST"])
@member_required
@limiter.limit("20 per hour", methods=["POST"], key_func=lambda: f"tip:{current_user.id}")
def new():
    form = TipForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            form.form_errors.append(_("The form has expired. Please try again."))
            status = 400
        else:
            try:
                tips.submit_tip(
                    current_user, form.url.data, form.title.data, form.price.data, form.reason.data
                )
            except ValidationFailed as failure:
                db.session.rollback()
                put_errors(form, failure)
                status = 422
            else:
                db.session.commit()
                flash(_("Thank you! Operators will look at your tip soon."), "success")
                return redirect(url_for("deal_tips.mine"), 303)
    return render_template("deals/tips/new.html", form=form), status


@bp.route("/deals/tips")
@member_required
def mine():
    return render_template("deals/tips/mine.html", tips=tips.tips_of(current_user))


@bp.route("/operator/deals/tips")
@operator_required
def queue():
    return render_template("deals/tips/queue.html", tips=tips.waiting_tips())


def tip_or_404(tip_id: int) -> DealTip:
    return db.session.get(DealTip, tip_id) or abort(404)


def review_page(tip: DealTip, form: DealForm, status: int = 200):
    same = publishing.live_same_item(tip.item_key, utcnow())
    return render_template("deals/tips/review.html", tip=tip, form=form, same=same), status


@bp.route("/operator/deals/tips/<int:tip_id>", methods=["GET", "POST"])
@operator_required
def review(tip_id: int):
    tip = tip_or_404(tip_id)
    if request.method == "GET":
        form = DealForm(formdata=None)
        for name, value in tips.completion_row(tip).items():
            getattr(form, name).data = value
        return review_page(tip, form)
    form = DealForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return review_page(tip, form, 400)
    try:
        deal = tips.publish_tip(current_user, tip, form.as_row())
    except ValidationFailed as failure:
        db.session.rollback()
        put_errors(form, failure, {column: name for name, column in COLUMNS.items()})
        return review_page(tip_or_404(tip_id), form, 422)
    except NotAllowed as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("deal_tips.queue"), 303)
    db.session.commit()
    flash(_("Published; the deal credits %(name)s.", name=tip.user.name), "success")
    return redirect(url_for("deal_ops.edit", deal_id=deal.id), 303)


@bp.route("/operator/deals/tips/<int:tip_id>/reject", methods=["POST"])
@operator_required
def reject(tip_id: int):
    tip = tip_or_404(tip_id)
    if tip.status != PENDING:
        flash(_("This tip has been reviewed already."), "error")
        return redirect(url_for("deal_tips.queue"), 303)
    try:
        tips.reject_tip(current_user, tip, request.form.get("note"))
    except (ValidationFailed, NotAllowed) as failure:
        db.session.rollback()
        reason = failure.errors[0][1] if isinstance(failure, ValidationFailed) else str(failure)
        flash(reason, "error")
        return redirect(url_for("deal_tips.review", tip_id=tip_id), 303)
    db.session.commit()
    flash(_("The tip was turned down; the member sees why."), "success")
    return redirect(url_for("deal_tips.queue"), 303)
