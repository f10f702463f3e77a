"""Site-wide pages: the landing page, language choice and the health check."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from community.accounts import invites
from community.errors import discard_session
from community.extensions import db
from community.failure_log import log_failure
from community.home import home_sections
from community.i18n import LANGUAGE_COOKIE, supported_locale
from community.membership.entitlements import standing
from community.membership.tiers import tiers_for_sale
from community.security import safe_next_url

log = logging.getLogger(__name__)

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
def set_language():
    """Remember the chosen language in a cookie and, for a signed-in user, in their settings."""
    choice = supported_locale(request.form.get("lang"))
    response = redirect(safe_next_url(request.form.get("next"), url_for("pages.index")))
    if choice is None:
        return response
    response.set_cookie(LANGUAGE_COOKIE, choice, max_age=365 * 86400, samesite="Lax", httponly=True)
    if current_user.is_authenticated:
        current_user.locale = choice
        db.session.commit()
    return response


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:
        log_failure(log, "health check: database unreachable", error=error)
        discard_session()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", version=current_app.config.get("VERSION", "dev"))
