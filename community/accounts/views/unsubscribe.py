"""Turning a kind of mail off: the one-click link in digests and reminders (no sign-in; the
signed link is the authority) and the switches on the settings page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts import mail_choices
from community.accounts.forms import ConfirmForm
from community.accounts.views import bp
from community.extensions import csrf, db
from community.security import login_required_view


def named_by(token: str):
    found = mail_choices.read_unsubscribe_token(token)
    if found is None:
        abort(404, description=_("This unsubscribe link is not valid."))
    return found


@bp.route("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    """What the link turns off, and one button (a GET changes nothing: mail scanners open links)."""
    user, kind = named_by(token)
    return render_template(
        "accounts/unsubscribe.html", kind=kind, token=token, on=kind.is_on(user), done=False
    )


@bp.route("/unsubscribe/<token>", methods=["POST"])
@csrf.exempt  # RFC 8058: mail clients post `List-Unsubscribe=One-Click` with no page behind it
def unsubscribe(token: str):
    user, kind = named_by(token)
    kind.turn(user, False)
    db.session.commit()
    if request.form.get("List-Unsubscribe") == "One-Click":
        return _("Unsubscribed."), 200, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template(
        "accounts/unsubscribe.html",
        kind=kind,
        token=token,
        on=False,
        done=True,
        form=ConfirmForm(),
    )


@bp.route("/unsubscribe/<token>/undo", methods=["POST"])
def resubscribe(token: str):
    user, kind = named_by(token)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    kind.turn(user, True)
    db.session.commit()
    return render_template("accounts/unsubscribe.html", kind=kind, token=token, on=True, done=False)


@bp.route("/settings/mail/<kind>", methods=["POST"])
@login_required_view
def switch_mail(kind: str):
    if kind not in mail_choices.KINDS:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, description=_("The form has expired. Please try again."))
    choice = mail_choices.KINDS[kind]
    choice.turn(current_user, request.form.get("on") == "1")
    db.session.commit()
    flash(_("Your mail settings are saved."), "success")
    return redirect(url_for("accounts.settings") + "#mail")
