"""Invites: who brought whom. A binding is made once, at sign-up, and never changes."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from community.accounts.models import User
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db

INVITE_COOKIE = "invite"


def inviter_by_code(code: str | None) -> User | None:
    code = (code or "").strip().lower()
    if not code or len(code) > 16:
        return None
    return db.session.scalar(select(User).where(User.invite_code == code))


def cookie_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="invite-cookie")


def invite_cookie_value(inviter: User) -> str:
    """A signed, timestamped cookie value, so the 30-day window is enforced by the server too."""
    return cookie_serializer().dumps(inviter.invite_code)


def inviter_from_cookie(value: str | None) -> User | None:
    if not value:
        return None
    max_age = current_app.config["INVITE_COOKIE_DAYS"] * 86400
    try:
        code = cookie_serializer().loads(value, max_age=max_age)
    except BadSignature:
        return None
    return inviter_by_code(code)


def form_value(inviter: User) -> str:
    """The sign-up form's hidden value naming the inviter it shows: signed, so only a form this
    site rendered with that inviter can bind one."""
    return URLSafeTimedSerializer(current_app.secret_key, salt="invite-form").dumps(
        inviter.invite_code
    )


def inviter_from_form(value: str | None) -> User | None:
    """The inviter a sign-up form showed, from its hidden value; None for anything else."""
    if not value or len(value) > 200:
        return None
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt="invite-form")
    try:
        code = serializer.loads(value, max_age=current_app.config["INVITE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return None
    return inviter_by_code(code)


def bind_inviter(user: User, inviter: User, when: datetime | None = None) -> None:
    """Lock `inviter` as the one who invited `user`: for life, never oneself, never a cycle."""
    if user.inviter_id is not None:
        raise ValidationFailed(
            [("inviter", str(_l("This account is already bound to an inviter.")))]
        )
    if inviter.id == user.id:
        raise ValidationFailed([("inviter", str(_l("You cannot invite yourself.")))])
    seen = set()
    ancestor = inviter
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == user.id:
            raise ValidationFailed([("inviter", str(_l("This invitation would form a cycle.")))])
        seen.add(ancestor.id)
        ancestor = db.session.get(User, ancestor.inviter_id) if ancestor.inviter_id else None
    user.inviter_id = inviter.id
    user.invited_at = when or utcnow()
    db.session.flush()


def invitees_of(user: User) -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.inviter_id == user.id).order_by(User.created_at))
    )
