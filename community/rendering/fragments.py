"""Rendered fragments shared by everyone who sees the same thing, with slots for the rest.

A fragment is rendered once per key (a question's render version, the language, the time zone;
for the site's header, the language and the kind of viewer) with slots where each viewer's own
state goes: their CSRF token, their votes, whether they follow, their name in the header. It is
then split at the slots; serving it joins the pieces with this viewer's values instead of
rendering a template. Slot markers carry a per-process nonce, so text written by users can
never pose as one; a split fragment holds no markers at all.
"""

from __future__ import annotations

import marshal
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from urllib.parse import quote

from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

NONCE = secrets.token_hex(6)
SLOT = f"\x00{NONCE}:"
SLOT_PATTERN = re.compile(f"\x00{NONCE}:([a-z_]+)((?::[\\w-]*)*)\x00")


def audience_key() -> tuple[str, str]:
    """What, besides content, changes a rendering: the language and the time zone."""
    return str(get_locale()), str(get_timezone())


@dataclass(frozen=True, kw_only=True)
class PageState:
    """A viewer's own values for a page; what it does not answer, the page's chrome does
    (templating.Chrome: the header's name, bell and paths)."""

    chrome: object | None = None

    def __getattr__(self, name: str):
        if self.chrome is None or name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.chrome, name)

    def csrf_token(self) -> str:
        """Asked only by pages that show a form: a visitor's page without one makes no session."""
        return generate_csrf()


class Slot:
    """One named slot, called (`slots.follow_label()`) or looked up by a key (`slots.vote_up[12]`).

    It renders as a marker that `fill` replaces with `state.follow_label()` or
    `state.vote_up["12"]` for the viewer being served.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> Markup:
        return Markup(escape(f"{SLOT}{self.name}\x00"))  # noqa: S704 - escaped here

    def __getitem__(self, key) -> Markup:
        return Markup(escape(f"{SLOT}{self.name}:{key}\x00"))  # noqa: S704 - escaped here


class Slots:
    """Stands in for a viewer's state while a shared fragment renders: every value is a slot."""

    def __getattr__(self, name: str) -> Slot:
        if name.startswith("_"):
            raise AttributeError(name)
        slot = Slot(name)
        # Kept as an attribute, so a page asking for it again finds it at once.
        setattr(self, name, slot)
        return slot


@dataclass(frozen=True)
class Fragment:
    """A shared rendering split at its slots: texts[0], slot 0, texts[1], slot 1, ..."""

    texts: tuple[str, ...]
    slots: tuple[tuple[str, tuple[str, ...]], ...]
    # Facts about the rendering its users need (who may not be served it, say).
    meta: dict = field(default_factory=dict)
    # The distinct slots (each asked once per fill) and, per slot, which of them it is.
    distinct: tuple = field(init=False, repr=False, compare=False)
    picks: Callable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        distinct = tuple(dict.fromkeys(self.slots))
        index = {slot: number for number, slot in enumerate(distinct)}
        order = [index[slot] for slot in self.slots]
        object.__setattr__(self, "distinct", distinct)
        object.__setattr__(self, "picks", itemgetter(*order, 0) if self.slots else None)

    @classmethod
    def parse(cls, html: str, **meta) -> Fragment:
        if quote(SLOT) in html:
            raise ValueError("a slot was put through a URL; give the whole URL its own slot")
        pieces = SLOT_PATTERN.split(html)
        slots = zip(pieces[1::3], pieces[2::3], strict=True)
        return cls(
            texts=tuple(pieces[0::3]),
            slots=tuple((name, tuple(args.split(":")[1:])) for name, args in slots),
            meta=meta,
        )

    def dumps(self) -> bytes:
        """The fragment as bytes for the shared file: marshal, as it holds only strings, tuples,
        lists and a dict, and reads back in a fraction of JSON's time."""
        return marshal.dumps((self.texts, self.slots, self.meta))

    @classmethod
    def loads(cls, data: bytes) -> Fragment:
        # The shared file is this site's own, in its instance folder, trusted as its database is.
        texts, slots, meta = marshal.loads(data)  # noqa: S302
        return cls(texts=texts, slots=slots, meta=meta)

    def fill(self, state) -> Markup:
        """The HTML with every slot replaced by `state`'s value (escaped), each asked once."""
        if not self.slots:
            return Markup(self.texts[0])  # noqa: S704 - rendered, autoescaped HTML
        values = [
            getattr(state, name)[args[0]] if args else getattr(state, name)()
            for name, args in self.distinct
        ]
        values = [value if isinstance(value, Markup) else escape(value) for value in values]
        out = [""] * (2 * len(self.texts) - 1)
        out[0::2] = self.texts
        # The picks end with a spare value so that one slot still yields a tuple.
        out[1::2] = self.picks(values)[:-1]
        return Markup("".join(out))  # noqa: S704 - rendered HTML and escaped values
