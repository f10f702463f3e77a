"""A person's standing (tier, until when) as account pages show it, told by the domain that
owns memberships through a hook: accounts sit below it and never import it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from flask import current_app


class Standing(Protocol):
    """What account pages read of a standing."""

    is_member: bool
    tier: object
    active_until: object


def register_standing(app, standing: Callable, is_member: Callable) -> None:
    """Tell account pages how to read a user's standing and whether they are a member (staff
    count as members), as the membership domain decides."""
    app.extensions["account_standing"] = (standing, is_member)


def standing_of(user) -> Standing | None:
    """The user's standing now, or None on a site with no membership domain."""
    hooks = current_app.extensions.get("account_standing")
    return hooks[0](user) if hooks else None


def is_member(user) -> bool:
    """Whether the user may use what members may (API tokens, feeds)."""
    hooks = current_app.extensions.get("account_standing")
    return bool(hooks and hooks[1](user))
