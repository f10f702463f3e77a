"""A member's identifiers at the affiliate networks, one row per member."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from community.clock import UTCDateTime, utcnow
from community.extensions import db


class AffiliateIdentity(db.Model):
    """What a member's purchases are known by at the networks.

    `sub_id` goes into every go link (JD subUnionId, Pinduoduo custom_parameters uid, generic
    networks); Taobao attributes orders by the adzone an operator assigned, or by the relation
    id or special (member operations) id the member recorded. Each is unique to one member.
    """

    __tablename__ = "affiliate_identities"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    sub_id: Mapped[str] = mapped_column(String(24), unique=True)
    adzone_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    relation_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    special_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Promotion positions an operator assigns at JD Union (positionId) and Pinduoduo (p_id).
    jd_position_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    pdd_pid: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<AffiliateIdentity user={self.user_id} sub={self.sub_id}>"
