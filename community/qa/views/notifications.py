"""The notification bell's page and the digest choice."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.errors import ValidationFailed
from community.extensions import db
from community.qa.forms import DigestForm
from community.qa.services import notifications
from community.qa.views import bp
from community.security import login_required_view


@bp.route("/notifications")
@login_required_view
def inbox():
    items = notifications.recent(current_user.id)
    form = DigestForm(data={"digest": notifications.digest_choice(current_user.id)})
    return render_template(
        "qa/notifications.html", items=items, form=form, kinds=notifications.KINDS
    )


@bp.route("/notifications/read", methods=["POST"])
@login_required_view
def mark_read():
    notifications.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("qa.inbox"))


@bp.route("/notifications/digest", methods=["POST"])
@login_required_view
def choose_digest():
    form = DigestForm()
    try:
        notifications.choose_digest(current_user, form.digest.data)
    except ValidationFailed as failure:
        db.session.rollback()
        flash(failure.errors[0][1], "error")
        return redirect(url_for("qa.inbox")), 303
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("qa.inbox"))
