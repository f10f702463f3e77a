"""Sign-ins kept on the server: each session cookie names one, and signing out ends it.

A signed cookie alone cannot be taken back once copied; naming a row the server can end makes
"signed out" true for every copy of the cookie, remember-me cookies included.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import update

from community.accounts.models import SignIn, User
from community.clock import utcnow
from community.extensions import db


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_sign_in(user: User) -> None:
    """Record a new sign-in of `user`; its key goes into the cookie through `user.get_id()`."""
    key = secrets.token_urlsafe(24)
    db.session.add(SignIn(user_id=user.id, key_hash=key_digest(key)))
    db.session.flush()
    user.sign_in_key = key


def end_sign_in(user: User) -> None:
    """End the sign-in `user` was loaded under, for every copy of its cookie."""
    if not user.sign_in_key:
        return
    db.session.execute(
        update(SignIn)
        .where(
            SignIn.user_id == user.id,
            SignIn.key_hash == key_digest(user.sign_in_key),
            SignIn.ended_at.is_(None),
        )
        .values(ended_at=utcnow())
    )
