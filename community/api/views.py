"""The JSON API under /api/v1: a bearer token identifies the user exactly as a session would."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user

from community.accounts.tokens import user_for_api_token
from community.extensions import csrf, db
from community.membership.entitlements import standing
from community.security import varies_on_authorization

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Requests here authenticate with a bearer token, which a cross-site page cannot attach.
csrf.exempt(bp)


@bp.before_request
def authenticate_bearer():
    varies_on_authorization()
    header = request.headers.get("Authorization")
    if header is None:
        return
    scheme, _, raw = header.partition(" ")
    user = user_for_api_token(raw.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        abort(401)
    db.session.commit()
    # Flask-Login reads the request's user from g._login_user; setting it leaves the session alone.
    g._login_user = user


@bp.route("/me")
def me():
    if not current_user.is_authenticated:
        return jsonify(
            id=None, email=None, name=None, role="visitor", tier="free", active_until=None
        )
    current = standing(current_user)
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        role=current_user.role,
        tier=current.tier.slug,
        active_until=current.active_until.isoformat() if current.active_until else None,
    )
