"""A member's keyword alerts: save, list (with each one's private feed) and remove them."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from community.deals import alerts
from community.deals.labels import PLATFORMS
from community.deals.tip_views import put_errors
from community.errors import ValidationFailed
from community.extensions import db
from community.feeds.services import active_token
from community.membership.decorators import member_required
from community.security import login_required_view

bp = Blueprint("deal_alerts", __name__)

DELIVERY_LABELS = {
    "now": _l("Email me at once"),
    "digest": _l("In my notification digest"),
    "none": _l("Only in the site's notifications"),
}


class AlertForm(FlaskForm):
    keywords = StringField(_l("Keywords (all of them must appear)"))
    platform = SelectField(
        _l("Platform"),
        choices=[SelectChoice("", _l("Any")), *(SelectChoice(k, v) for k, v in PLATFORMS.items())],
        validate_choice=False,
    )
    max_price = StringField(_l("Highest price (yuan, optional)"))
    delivery = RadioField(
        _l("Email"),
        choices=[SelectChoice(value, label) for value, label in DELIVERY_LABELS.items()],
        default="now",
        validate_choice=False,
    )


def alerts_page(form: AlertForm, status: int = 200):
    return (
        render_template(
            "deals/alerts/index.html",
            form=form,
            alerts=alerts.alerts_of(current_user),
            deliveries=DELIVERY_LABELS,
            has_token=active_token(current_user) is not None,
        ),
        status,
    )


@bp.route("/deals/alerts", methods=["GET", "POST"])
@member_required
def index():
    form = AlertForm()
    if request.method == "GET":
        return alerts_page(form)
    if not form.validate_on_submit():
        form.form_errors.append(_("The form has expired. Please try again."))
        return alerts_page(form, 400)
    try:
        alerts.save_alert(
            current_user,
            form.keywords.data,
            form.platform.data,
            form.max_price.data,
            form.delivery.data,
        )
    except ValidationFailed as failure:
        db.session.rollback()
        put_errors(form, failure)
        return alerts_page(form, 422)
    db.session.commit()
    flash(_("Alert saved. We will tell you when a matching deal goes live."), "success")
    return redirect(url_for("deal_alerts.index"), 303)


@bp.route("/deals/alerts/<int:alert_id>/delete", methods=["POST"])
@login_required_view
def delete(alert_id: int):
    alert = alerts.alert_of(current_user, alert_id) or abort(404)
    alerts.delete_alert(current_user, alert)
    db.session.commit()
    flash(_("Alert removed."), "success")
    return redirect(url_for("deal_alerts.index"), 303)
