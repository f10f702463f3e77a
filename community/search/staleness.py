"""Which backend an index was kept for: every backend's last apply and rebuild are recorded in
`search_state`, so an index whose backend was switched away from (its changes went to the other
one) is known to be stale, answered from the database meanwhile, and rebuilt by the indexer."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import select

from community.extensions import db
from community.search.models import IndexState

# How long a process trusts its last look at the other backends' state.
CHECK_SECONDS = 10.0


def last_kept(state: IndexState | None) -> datetime | None:
    if state is None:
        return None
    return max((moment for moment in (state.applied_at, state.rebuilt_at) if moment), default=None)


def stale_since(backend_name: str) -> tuple[str, datetime] | None:
    """(other backend, when) if another backend took changes after this one's index was last
    kept (each apply or rebuild takes changes out of the outbox for itself only), else None."""
    states = {state.backend: state for state in db.session.scalars(select(IndexState))}
    mine = last_kept(states.pop(backend_name, None))
    others = [(last_kept(state), name) for name, state in states.items() if last_kept(state)]
    if not others:
        return None
    latest, name = max(others)
    if mine is None or latest > mine:
        return name, latest
    return None


class StalenessCheck:
    """A process's cached answer to "is this backend's index stale?"."""

    def __init__(self, backend_name: str) -> None:
        self.backend_name = backend_name
        self.checked_at = float("-inf")
        self.stale = False

    def is_stale(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at > CHECK_SECONDS:
            self.stale = stale_since(self.backend_name) is not None
            self.checked_at = now
        return self.stale

    def mark_current(self) -> None:
        """This process just rebuilt the index: it is current (no need to ask)."""
        self.stale = False
        self.checked_at = time.monotonic()

    def forget(self) -> None:
        self.checked_at = float("-inf")
