"""An uploaded picture and the posts it belongs to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.clock import UTCDateTime, utcnow
from community.extensions import db


class MediaImage(db.Model):
    """A cleaned picture (`full`) and its copy resized for pages (`display`), named in URLs by
    a random `key` so nobody can walk through them by number."""

    __tablename__ = "media_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    display_width: Mapped[int] = mapped_column()
    display_height: Mapped[int] = mapped_column()
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MediaImage {self.id} {self.key}>"


class MediaAttachment(db.Model):
    """A picture shown in a post: `kind` names the post's domain ("qa_question", "qa_answer",
    "deal_tip"), whose registered rule says who may read it. Kept when a later edit drops the
    picture, since the post's revisions still show it."""

    __tablename__ = "media_attachments"
    __table_args__ = (
        UniqueConstraint("image_id", "kind", "owner_id", name="uq_media_attachments_owner"),
        Index("ix_media_attachments_owner", "kind", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("media_images.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<MediaAttachment image={self.image_id} {self.kind}:{self.owner_id}>"
