"""Rendered fragments kept per worker, shared by everyone who sees the same thing.

A fragment is rendered once per key (a question's render version, the language, the time zone)
with slots where each viewer's own state goes: their CSRF token, their votes, whether they
follow. Serving it fills the slots for this viewer, a regular-expression substitution instead of
a template render. Slots carry a per-process nonce, so text written by users can never pose as
one, and every slot is filled before a page leaves: an unfilled one would be a bug, not a leak.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app
from flask_babel import get_locale, get_timezone
from markupsafe import Markup, escape

NONCE = secrets.token_hex(6)
SLOT = f"\x00{NONCE}:"
SLOT_PATTERN = re.compile(f"\x00{NONCE}:([a-z_]+)((?::[\\w-]*)*)\x00")


class FragmentCache:
    """A thread-safe LRU of rendered fragments; entries also expire after `ttl` seconds.

    The expiry bounds how stale relative words ("waiting 3 hours") can get; correctness rests
    on the keys, which name the versions of everything a fragment shows.
    """

    def __init__(self, size: int, ttl: float) -> None:
        self.size, self.ttl = size, ttl
        self.entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def get_or_build(self, key: Hashable, build: Callable[[], object]):
        now = time.monotonic()
        with self.lock:
            found = self.entries.get(key)
            if found is not None and found[0] > now:
                self.entries.move_to_end(key)
                return found[1]
        value = build()
        with self.lock:
            self.entries[key] = (now + self.ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def cache_for(name: str) -> FragmentCache:
    """The app's cache called `name`, sized by QA_FRAGMENT_CACHE_SIZE (0 turns caching off)."""
    caches = current_app.extensions.setdefault("qa_fragments", {})
    if name not in caches:
        config = current_app.config
        caches[name] = FragmentCache(
            config.get("QA_FRAGMENT_CACHE_SIZE", 1000), config.get("QA_FRAGMENT_CACHE_TTL", 60)
        )
    return caches[name]


def caching_enabled() -> bool:
    return current_app.config.get("QA_FRAGMENT_CACHE_SIZE", 1000) > 0


def audience_key() -> tuple[str, str]:
    """What, besides content, changes a rendering: the language and the time zone."""
    return str(get_locale()), str(get_timezone())


class Slots:
    """Stands in for a viewer's state while a shared fragment renders: every call is a slot.

    `slots.vote_value(12, 1)` renders as a marker that `fill` later replaces with
    `state.vote_value(12, 1)` for the viewer being served.
    """

    def __getattr__(self, name: str) -> Callable[..., Markup]:
        if name.startswith("_"):
            raise AttributeError(name)

        def slot(*args) -> Markup:
            marker = SLOT + ":".join((name, *map(str, args))) + "\x00"
            return Markup(escape(marker))  # noqa: S704 - escaped here

        return slot


def fill(fragment: str, state) -> Markup:
    """The fragment with every slot replaced by the viewer's own value (escaped)."""

    def value(match) -> str:
        return escape(getattr(state, match.group(1))(*match.group(2).split(":")[1:]))

    return Markup(SLOT_PATTERN.sub(value, fragment))  # noqa: S704 - rendered HTML, escaped values
