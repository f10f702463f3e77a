"""A member's private feed token: one active at a time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.clock import UTCDateTime, utcnow
from community.extensions import db


class FeedToken(db.Model):
    """The URL token is an HMAC of `nonce` under the app secret: a leaked table reveals no URLs,
    yet the member's page can show their feed links at any time."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} user={self.user_id}>"
