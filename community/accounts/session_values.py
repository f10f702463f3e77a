"""Values every page shows about the signed-in user, loaded with the user in one statement.

The statement finds the user only under a live sign-in (community/accounts/sign_ins.py), so a
cookie whose sign-in has ended loads nobody without costing a statement of its own.

Other areas register a correlated expression over `User.id` (the bell's unread count, whether
the user is an expert) or a row to join (the tier they hold now); the session loader selects
them beside the user, and pages read them from here instead of asking the database again.
Expressions may use the bound parameter `now`, the moment the user was loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g
from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.sql import ColumnElement

from community.accounts.models import SignIn, User
from community.accounts.sign_ins import key_digest
from community.clock import utcnow
from community.extensions import db
from community.rendering.shared import register_personal_value

REGISTERED: dict[str, Callable[[], ColumnElement]] = {}
JOINED: dict[str, Callable[[], tuple]] = {}
MISSING = object()
register_personal_value("session_values")
_statement: tuple[tuple[str, ...], Select] | None = None


def register(name: str, expression: Callable[[], ColumnElement]) -> None:
    """Load `expression()` (correlated on `User.id`) with every session user as `name`."""
    REGISTERED[name] = expression


def register_joined(name: str, join: Callable[[], tuple]) -> None:
    """Outer-join `join()` = (entity, on clause) to every session user; its row is `name`."""
    JOINED[name] = join


def statement() -> tuple[tuple[str, ...], Select]:
    global _statement
    names = (*JOINED, *REGISTERED)
    if _statement is None or _statement[0] != names:
        joins = [JOINED[name]() for name in JOINED]
        columns = [REGISTERED[name]().label(name) for name in REGISTERED]
        query = select(User, *(entity for entity, _on in joins), *columns)
        for entity, on in joins:
            query = query.outerjoin(entity, on)
        live_sign_in = exists().where(
            SignIn.user_id == User.id,
            SignIn.key_hash == bindparam("sign_in"),
            SignIn.ended_at.is_(None),
        )
        _statement = (names, query.where(User.id == bindparam("user_id"), live_sign_in))
    return _statement


def load_user(user_id: int, sign_in_key: str) -> User | None:
    """The user signed in under the live sign-in `sign_in_key`, with every registered value,
    remembered for this request; None when there is no such user or the sign-in has ended."""
    names, query = statement()
    parameters = {"user_id": user_id, "sign_in": key_digest(sign_in_key), "now": utcnow()}
    row = db.session.execute(query, parameters).first()
    if row is None:
        return None
    g.session_values = {"user_id": user_id, **dict(zip(names, row[1:], strict=True))}
    user = row[0]
    user.sign_in_key = sign_in_key
    return user


def value(user_id: int, name: str):
    """A registered value for this user as loaded with the session, or MISSING."""
    values = g.get("session_values")
    if values is None or values["user_id"] != user_id:
        return MISSING
    return values.get(name, MISSING)


def forget(name: str) -> None:
    """Drop a value the request has just changed, so the page asks the database again."""
    values = g.get("session_values")
    if values is not None:
        values.pop(name, None)
