"""Mail a member may turn off (digests, reminders): the kinds other areas register, the signed
one-click unsubscribe links put in those mails, and the opt-outs kept for kinds with no setting
of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, select

from community.accounts.models import MailOptOut, User
from community.extensions import db
from community.site_links import site_url

KINDS: dict[str, MailKind] = {}


@dataclass(frozen=True)
class MailKind:
    name: str
    label: object  # a lazy string: what the mail is, in the reader's language
    is_on: Callable[[User], bool]
    turn: Callable[[User, bool], None]


def register_mail_kind(name: str, label, is_on=None, turn=None) -> None:
    """Let members turn `name` off; without `is_on`/`turn` an opt-out row keeps the choice."""
    KINDS[name] = MailKind(
        name,
        label,
        is_on or (lambda user: not opted_out(user.id, name)),
        turn or (lambda user, on: keep_opt_out(user.id, name, not on)),
    )


def opted_out(user_id: int, kind: str) -> bool:
    return db.session.get(MailOptOut, (user_id, kind)) is not None


def opted_out_ids(kind: str) -> set[int]:
    return set(db.session.scalars(select(MailOptOut.user_id).where(MailOptOut.kind == kind)))


def keep_opt_out(user_id: int, kind: str, off: bool) -> None:
    if off and not opted_out(user_id, kind):
        db.session.add(MailOptOut(user_id=user_id, kind=kind))
    elif not off:
        db.session.execute(
            delete(MailOptOut).where(MailOptOut.user_id == user_id, MailOptOut.kind == kind)
        )
    db.session.flush()


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="mail-unsubscribe")


def unsubscribe_url(user: User, kind: str) -> str:
    """The absolute link that turns `kind` off for `user` (one click, no sign-in)."""
    return site_url("accounts.unsubscribe", token=serializer().dumps([user.id, kind]))


def read_unsubscribe_token(token: str) -> tuple[User, MailKind] | None:
    """The member and kind a link names, or None for a link this site did not sign."""
    try:
        user_id, kind = serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in KINDS or not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    return (user, KINDS[kind]) if user is not None else None
