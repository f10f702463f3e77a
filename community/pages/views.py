"""Site-wide pages: the landing page and language choice."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from community.accounts import invites
from community.extensions import csrf, db
from community.home import home_sections
from community.i18n import LANGUAGE_COOKIE, supported_locale
from community.membership.entitlements import standing
from community.membership.tiers import tiers_for_sale
from community.security import safe_next_url

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    """Visitors land on the landing page; a signed-in reader's home is their feed."""
    if current_user.is_authenticated:
        return render_template(
            "pages/home.html",
            sections=home_sections(current_user),
            viewer_standing=standing(current_user),
        )
    inviter = invites.inviter_from_cookie(request.cookies.get(invites.INVITE_COOKIE))
    return render_template("pages/index.html", tiers=tiers_for_sale(), inviter=inviter)


@bp.route("/language", methods=["POST"])
@csrf.exempt
def set_language():
    """Remember the chosen language in a cookie and, for a signed-in user, in their settings.

    A visitor's form carries no CSRF token (it would give every visitor's page a session and
    keep it out of caches): another site making a visitor switch language changes nothing of
    theirs. A signed-in user's choice is saved to their account, so it must come with a token.
    """
    if current_user.is_authenticated:
        csrf.protect()
    choice = supported_locale(request.form.get("lang"))
    response = redirect(safe_next_url(request.form.get("next"), url_for("pages.index")))
    if choice is None:
        return response
    response.set_cookie(LANGUAGE_COOKIE, choice, max_age=365 * 86400, samesite="Lax", httponly=True)
    if current_user.is_authenticated:
        current_user.locale = choice
        db.session.commit()
    return response
