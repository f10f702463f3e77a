"""What a member's rebate page and an operator's views of it read: a member's order lines with
their share, their invitees (masked) and what the invitees' orders earned them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from community.rebates.models import LedgerEntry, RebateOrder, RebateOrderLine
from community.rebates.split import rebate_split


@dataclass(frozen=True)
class OrderRow:
    line: RebateOrderLine
    order: RebateOrder
    share: int
    referral: bool


def mask_name(name: str) -> str:
    """An invitee as their inviter sees them: the first character and stars."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else "**"


def mask_order_no(order_no: str) -> str:
    """An invitee's order number as their inviter sees it: never whole, however short."""
    return f"{order_no[:4]}…{order_no[-4:]}" if len(order_no) > 8 else f"{order_no[:2]}…"


def order_rows(user_id: int, limit: int = 50) -> list[OrderRow]:
    """The member's newest order lines, as buyer or as inviter, with the share each earns."""
    rows = db.session.execute(
        select(RebateOrderLine, RebateOrder)
        .join(RebateOrder, RebateOrder.id == RebateOrderLine.order_id)
        .where((RebateOrder.user_id == user_id) | (RebateOrder.inviter_id == user_id))
        .order_by(RebateOrderLine.id.desc())
        .limit(limit)
    ).all()
    found = []
    for line, order in rows:
        split = rebate_split(line.commission, order.buyer_share, order.referral_share)
        referral = order.user_id != user_id
        share = split.referral if referral else split.buyer
        if referral and order.referral_void_at is not None:
            share = 0
        found.append(OrderRow(line, order, share, referral))
    return found


def invitees(user_id: int) -> list[str]:
    names = db.session.scalars(
        select(User.name).where(User.inviter_id == user_id).order_by(User.created_at)
    )
    return [mask_name(name) for name in names]


def referral_earnings(user_id: int) -> int:
    """Referral shares credited to the member (pending and confirmed), after clawbacks."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.user_id == user_id,
                LedgerEntry.kind == "referral",
                LedgerEntry.state.in_(("pending", "confirmed")),
            )
        )
    )
