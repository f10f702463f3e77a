"""Account pages: sign-up, email verification, sign-in, password reset, settings, invites."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")

from community.accounts.views import people, settings, sign_in, unsubscribe  # noqa: E402, F401
