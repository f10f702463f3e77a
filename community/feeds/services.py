"""Feed tokens and the registry of feeds: a domain registers a named feed, members read it.

The token identifies the member in a URL a feed reader can poll; rotating it revokes the old
one. The deal feed registers itself here the same way the Q&A lists do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import String, bindparam, cast, literal, select, update

from community.accounts import session_values
from community.accounts.models import User
from community.accounts.services import password_reset
from community.clock import utcnow
from community.extensions import db
from community.feeds.models import FeedToken
from community.numbers import parse_id


@dataclass
class FeedEntry:
    id: str
    title: str
    link: str
    updated: datetime
    content_html: str = ""
    author: str = ""
    categories: list[str] = field(default_factory=list)


@dataclass
class Feed:
    title: str
    link: str
    entries: list[FeedEntry]


@dataclass(frozen=True)
class RegisteredFeed:
    label: object
    # producer(user, args) returns a Feed, or None when the user may not read it.
    producer: Callable
    # Listed on the member's feed page (feeds that need arguments are linked where they apply).
    listed: bool = True
    # available(user): whether the user may read this feed now; nobody is given a link that
    # would answer 403 (None: everyone with a token).
    available: Callable | None = None


FEEDS: dict[str, RegisteredFeed] = {}


def register_feed(
    name: str, label, producer: Callable, listed: bool = True, available: Callable | None = None
) -> None:
    FEEDS[name] = RegisteredFeed(label=label, producer=producer, listed=listed, available=available)


def feed_available(user, name: str) -> bool:
    registered = FEEDS.get(name)
    if registered is None:
        return False
    return registered.available is None or bool(registered.available(user))


def feed_id(user, name: str, args) -> str:
    """The feed's Atom id: the same for one member's feed whatever token the URL carries (a
    reader keeps its entries across a rotation), and naming nobody to those who see it."""
    query = "&".join(f"{key}={value}" for key, value in sorted(args.items()))
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"feed-id:{user.id}:{name}?{query}".encode(), hashlib.sha256)
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"
    return f"tag:{host},2026:feeds/{name}/{digest.hexdigest()[:24]}"


def sign(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"feed:{nonce}".encode(), hashlib.sha256).hexdigest()[:40]


def url_token(token) -> str:
    """The URL part naming a token (anything with its `id` and `nonce`)."""
    return f"{token.id}.{sign(token.nonce)}"


def active_token(user) -> FeedToken | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
    )


def rotate_token(user) -> FeedToken:
    """Revoke the user's feed token (if any) and issue a new one."""
    revoke_tokens(user)
    token = FeedToken(user_id=user.id, nonce=secrets.token_hex(24))
    db.session.add(token)
    db.session.flush()
    return token


def revoke_tokens(user) -> None:
    session_values.forget("feed_token")
    db.session.execute(
        update(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_feeds_of(user, **_extra) -> None:
    """A password reset ends the member's private feed links with everything else."""
    revoke_tokens(user)


password_reset.connect(end_feeds_of)


def user_for_token(raw: str):
    """The owner of an active token, or None for unknown, revoked or forged ones."""
    raw_id, _, signature = (raw or "").partition(".")
    token_id = parse_id(raw_id)
    if token_id is None or len(signature) != 40:
        return None
    token = db.session.get(FeedToken, token_id)
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(sign(token.nonce), signature):
        return None
    return token.user


def active_token_key():
    """The user's active token as "id:nonce", correlated on the user: every list page links its
    feed, so it is loaded with every session user (session_values)."""
    return (
        select(cast(FeedToken.id, String) + literal(":") + FeedToken.nonce)
        .where(FeedToken.user_id == User.id, FeedToken.revoked_at.is_(None))
        .limit(1)
        .scalar_subquery()
    )


session_values.register("feed_token", active_token_key)

ACTIVE_TOKEN_KEY = select(FeedToken.id, FeedToken.nonce).where(
    FeedToken.user_id == bindparam("user_id"), FeedToken.revoked_at.is_(None)
)


@dataclass(frozen=True)
class TokenKey:
    id: int
    nonce: str


def token_key(user) -> TokenKey | None:
    loaded = session_values.value(user.id, "feed_token")
    if loaded is session_values.MISSING:
        row = db.session.connection().execute(ACTIVE_TOKEN_KEY, {"user_id": user.id}).first()
        return None if row is None else TokenKey(row.id, row.nonce)
    if loaded is None:
        return None
    token_id, _, nonce = loaded.partition(":")
    return TokenKey(int(token_id), nonce)


def feed_url_for(user, name: str, **args) -> str | None:
    """The private URL of feed `name` for `user`, when they have a feed token."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not feed_available(user, name):
        return None
    token = token_key(user)
    if token is None:
        return None
    args = {key: value for key, value in args.items() if value is not None}
    return url_for("feeds.read", token=url_token(token), name=name, _external=True, **args)
