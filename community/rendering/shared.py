"""The guard a shared rendering is built under: nothing of one person can reach it.

A rendering shared by an audience (every plain member, every visitor) is built from one
request but served to everyone in the audience for hours. While it is built, `current_user`
is a stand-in that answers only what the whole audience shares (signed in or not, operator or
not, verified) and the session (CSRF token, flashed messages) and every per-person value a
domain keeps in `g` refuse to be read: a template or helper that reaches for one person's
name, membership end, token or messages fails the build instead of leaking into other pages.
Per-person values reach a shared page only through slots, filled per request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import g
from flask.globals import request_ctx
from flask.sessions import SessionMixin

# Names in `g` under which domains keep values of the signed-in person (registered by them).
PERSONAL_G_NAMES: set[str] = {"_login_user"}


class PersonalValueRefused(RuntimeError):
    """A shared rendering asked for something of one person."""


def register_personal_value(name: str) -> None:
    """Declare that `g.<name>` holds a value of the signed-in person (hidden from shared
    renderings)."""
    PERSONAL_G_NAMES.add(name)


class AudienceUser:
    """`current_user` while a shared rendering is built: what its audience has in common."""

    def __init__(self, signed_in: bool, operator: bool = False) -> None:
        self.__dict__.update(_signed_in=signed_in, _operator=operator)

    @property
    def is_authenticated(self) -> bool:
        return self._signed_in

    @property
    def is_active(self) -> bool:
        return self._signed_in

    @property
    def is_anonymous(self) -> bool:
        return not self._signed_in

    @property
    def is_verified(self) -> bool:
        # Shared renderings are for verified members only; unverified ones see a notice.
        return self._signed_in

    @property
    def is_operator(self) -> bool:
        return self._operator

    def __getattr__(self, name: str):
        raise PersonalValueRefused(f"current_user.{name} was read in a shared rendering")

    def __setattr__(self, name: str, value) -> None:
        raise PersonalValueRefused(f"current_user.{name} was set in a shared rendering")


class RefusingSession(dict, SessionMixin):
    """The session while a shared rendering is built: every read or write refuses."""

    def _refuse(self, *_args, **_kwargs):
        raise PersonalValueRefused("the session was used in a shared rendering")

    __getitem__ = __setitem__ = __delitem__ = __contains__ = __iter__ = __len__ = _refuse
    get = pop = setdefault = update = keys = values = items = clear = popitem = _refuse


@contextmanager
def building_shared(signed_in: bool, operator: bool = False) -> Iterator[None]:
    """Build a rendering for a whole audience (signed in or not, operators or not) inside."""
    if getattr(g, "_building_shared", False):
        yield
        return
    context = request_ctx._get_current_object()
    # Flask keeps the session behind a property (marking it accessed) in newer releases.
    slot = (
        "_session" if isinstance(getattr(type(context), "session", None), property) else "session"
    )
    saved_session, saved_flashes = getattr(context, slot), context.flashes
    saved = {name: g.pop(name) for name in PERSONAL_G_NAMES if name in g}
    g._login_user = AudienceUser(signed_in, operator)
    g._building_shared = True
    setattr(context, slot, RefusingSession())
    context.flashes = None
    try:
        yield
    finally:
        setattr(context, slot, saved_session)
        context.flashes = saved_flashes
        for name in PERSONAL_G_NAMES:
            g.pop(name, None)
        g.pop("_building_shared", None)
        for name, value in saved.items():
            setattr(g, name, value)
