"""Secrets handed to users: single-use email links and personal API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.accounts.models import ApiToken, EmailToken, User
from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db

VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose name, not a secret
CHANGE_EMAIL = "change_email"
PURPOSE_HOURS = {
    VERIFY_EMAIL: "VERIFY_TOKEN_HOURS",
    RESET_PASSWORD: "RESET_TOKEN_HOURS",
    CHANGE_EMAIL: "VERIFY_TOKEN_HOURS",
}

API_TOKEN_PREFIX = "cm_"  # noqa: S105 - a visible prefix, not a secret
API_TOKEN_LAST_USED_EVERY = timedelta(minutes=5)


class LinkInvalid(Exception):
    """An emailed link that cannot be used: unknown (404) or expired/used (410)."""

    def __init__(self, message: str, status: int):
        self.message = message
        self.status = status
        super().__init__(message)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_email_token(user: User, purpose: str, email: str | None = None) -> str:
    """Create a single-use link token for `purpose`; earlier unused ones of the same purpose end."""
    now = utcnow()
    db.session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
        .values(expires_at=now)
    )
    raw = secrets.token_urlsafe(32)
    hours = current_app.config[PURPOSE_HOURS[purpose]]
    db.session.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(raw),
            email=email or user.email,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return raw


def consume_email_token(raw: str, purpose: str) -> EmailToken:
    """Mark a link token used and return it, or raise LinkInvalid saying why it cannot be."""
    token = None
    if raw and len(raw) <= 100:
        token = db.session.scalar(
            select(EmailToken).where(
                EmailToken.token_hash == digest(raw), EmailToken.purpose == purpose
            )
        )
    if token is None:
        raise LinkInvalid(str(_l("This link is not valid. Check that you copied all of it.")), 404)
    if token.used_at is not None:
        raise LinkInvalid(str(_l("This link has already been used.")), 410)
    if token.expires_at <= utcnow():
        raise LinkInvalid(str(_l("This link has expired. Ask for a new one.")), 410)
    token.used_at = utcnow()
    return token


def peek_email_token(raw: str, purpose: str) -> EmailToken:
    """Check a link token without using it up (to show the reset form)."""
    token = consume_email_token(raw, purpose)
    token.used_at = None
    return token


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; the raw value is returned once and never stored."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 60:
        raise ValidationFailed([("name", str(_l("Give the token a name of 1 to 60 characters.")))])
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, prefix=raw[: len(API_TOKEN_PREFIX) + 6], token_hash=digest(raw)
    )
    db.session.add(token)
    db.session.flush()
    return token, raw


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotAllowed(str(_l("This token is not yours.")))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def revoke_all_api_tokens(user: User) -> None:
    """Revoke every active API token of `user`."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def user_for_api_token(raw: str) -> User | None:
    """The owner of an active token, or None for unknown, revoked or malformed tokens."""
    if not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > API_TOKEN_LAST_USED_EVERY:
        token.last_used_at = now
    return token.user


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )
