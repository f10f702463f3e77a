"""Invitation links and public profiles."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from community.accounts import invites
from community.accounts.models import User
from community.accounts.standing import standing_of
from community.accounts.views import bp
from community.extensions import db


@bp.route("/invite/<code>", endpoint="invite")
def follow_invite(code: str):
    """Remember who invited this visitor for the next 30 days, whatever they browse first."""
    inviter = invites.inviter_by_code(code)
    response = redirect(url_for("pages.index"))
    if inviter is None:
        flash(_("This invitation link is not valid."), "warning")
        return response
    if current_user.is_authenticated:
        if current_user.id == inviter.id:
            flash(_("This is your own invitation link. Share it with friends."), "info")
        else:
            flash(_("Invitations are for new accounts; yours already exists."), "info")
        return response
    days = current_app.config["INVITE_COOKIE_DAYS"]
    response.set_cookie(
        invites.INVITE_COOKIE,
        invites.invite_cookie_value(inviter),
        max_age=days * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    flash(
        ngettext(
            "%(name)s invited you. Sign up within %(num)d day to join them.",
            "%(name)s invited you. Sign up within %(num)d days to join them.",
            days,
            name=inviter.name,
        ),
        "info",
    )
    return response


@bp.route("/users/<int:user_id>", endpoint="profile")
def show_profile(user_id: int):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return render_template("accounts/profile.html", user=user, standing=standing_of(user))
