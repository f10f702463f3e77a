"""Who an order belongs to: matched by the identifiers the report carries (sub id, Taobao
adzone, relation or special id, JD or Pinduoduo position), else left in the unmatched queue,
where an operator assigns it or confirms a member's claim. Shares are fixed at the match.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from community.accounts.models import User
from community.affiliate.services import members_by
from community.database import lock_for_write
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.rebates import ledger
from community.rebates.models import (
    SETTLED,
    OrderClaim,
    RebateOrder,
    RebateOrderLine,
    RebateSettings,
)
from community.rebates.settings import rebate_settings
from community.rebates.split import Shares, Terms, rebate_split, terms_for

LINE_FIELDS = ("id", "status", "commission", "settled_at")


def lock_rebates() -> None:
    """Serialise with every import chunk and assignment until the transaction ends (the
    settings row is the lock).

    Credits and clawbacks take this lock only, never a member's: a withdrawal (which locks
    the member) may see a credit a moment late or a clawback land just after it, and the
    ledger allows the balance to go negative; taking only this one lock, after any member's,
    keeps lock order the same everywhere (a refund locks its member, then this).
    """
    settings_id = rebate_settings().id
    lock_for_write(db.session, select(RebateSettings.id).where(RebateSettings.id == settings_id))


def members_for(identifier_lists) -> list[tuple[int, str] | None]:
    """For each list of (field, value) identifiers: (user id, field) of the first that names
    a member, or None. One query per field for the whole batch."""
    wanted = defaultdict(set)
    for identifiers in identifier_lists:
        for field, value in identifiers:
            wanted[field].add(value)
    found = {field: members_by(field, values) for field, values in wanted.items()}
    matches = []
    for identifiers in identifier_lists:
        match = None
        for field, value in identifiers:
            user_id = found[field].get(value)
            if user_id is not None:
                match = (user_id, field)
                break
        matches.append(match)
    return matches


class TermsBook:
    """Terms per buyer for orders first seen at one moment, each looked up once."""

    def __init__(self, seen_at: datetime, referral_share: int):
        self.seen_at = seen_at
        self.referral_share = referral_share
        self.known: dict[int, Terms] = {}

    def terms(self, user_id: int) -> Terms:
        if user_id not in self.known:
            buyer = db.session.get(User, user_id)
            self.known[user_id] = terms_for(buyer, self.seen_at, self.referral_share)
        return self.known[user_id]

    def look_up(self, user_ids) -> None:
        """Find the terms of every buyer in `user_ids` not yet known, loading them at once."""
        missing = set(user_ids) - self.known.keys()
        if not missing:
            return
        for buyer in db.session.scalars(select(User).where(User.id.in_(missing))):
            self.known[buyer.id] = terms_for(buyer, self.seen_at, self.referral_share)


def match_values(user_id: int, how: str, terms: Terms, placed_at, moment: datetime) -> dict:
    """The columns an order takes when it is matched."""
    shares = terms.shares(placed_at)
    return {
        "user_id": user_id,
        "matched_by": how,
        "matched_at": moment,
        "buyer_share": shares.buyer_share,
        "inviter_id": shares.inviter_id,
        "referral_share": shares.referral_share,
        "referral_wait_until": shares.referral_wait_until,
    }


def match_existing(order_id: int, values: dict) -> bool:
    """Give an unmatched order its member; False when someone else matched it first."""
    result = db.session.execute(
        update(RebateOrder)
        .where(RebateOrder.id == order_id, RebateOrder.user_id.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def credit_order(order, moment: datetime, holding_days: int, **fields) -> None:
    """Write whatever the order's lines should hold and do not yet."""
    lines = [
        dict(row._mapping)
        for row in db.session.execute(
            select(*(getattr(RebateOrderLine, name) for name in LINE_FIELDS)).where(
                RebateOrderLine.order_id == order.id
            )
        )
    ]
    credited = ledger.credited_for_lines([line["id"] for line in lines])
    entries = []
    for line in lines:
        entries += ledger.line_differences(line, order, credited, holding_days, moment, **fields)
    ledger.write(entries)


def assign_order(actor, order: RebateOrder, user: User, moment: datetime, how="operator"):
    """An operator gives an unmatched order to `user`; its lines are credited at once, with
    the shares as they stood when the order was first imported."""
    if actor is None or not actor.is_operator:
        raise NotAllowed(_("Operators only."))
    lock_rebates()
    db.session.refresh(order)
    settings = rebate_settings()
    terms = terms_for(user, order.first_seen_at, settings.referral_share)
    values = match_values(user.id, how, terms, order.placed_at, moment)
    if not match_existing(order.id, values):
        raise ValidationFailed([(None, _("This order already belongs to a member."))])
    db.session.refresh(order)
    credit_order(order, moment, settings.holding_days, actor_id=actor.id, reason=how)
    return order


@dataclass(frozen=True)
class AssignmentPreview:
    """What giving an order to a member would credit now, shown before an operator confirms."""

    shares: Shares
    inviter: User | None
    commission: int
    buyer: int
    referral: int


def preview_assignment(order: RebateOrder, user: User) -> AssignmentPreview:
    """The shares `user` would get for `order` and the fen its live lines would credit, by the
    same terms and split `assign_order` uses (invalid or refunded lines credit nothing)."""
    settings = rebate_settings()
    terms = terms_for(user, order.first_seen_at, settings.referral_share)
    shares = terms.shares(order.placed_at)
    commission = buyer = referral = 0
    for line in order.lines:
        if line.status not in (*ledger.PENDING_STATUSES, SETTLED):
            continue
        split = rebate_split(line.commission, shares.buyer_share, shares.referral_share)
        commission += line.commission
        buyer += split.buyer
        referral += split.referral
    inviter = db.session.get(User, shares.inviter_id) if shares.inviter_id else None
    return AssignmentPreview(shares, inviter, commission, buyer, referral)


def unmatched_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(RebateOrder).where(RebateOrder.user_id.is_(None))
    )


def unmatched_orders(limit: int = 100, offset: int = 0) -> list[RebateOrder]:
    return list(
        db.session.scalars(
            select(RebateOrder)
            .where(RebateOrder.user_id.is_(None))
            .order_by(RebateOrder.first_seen_at.desc(), RebateOrder.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def claim_order(user: User, order_no: str, moment: datetime) -> OrderClaim:
    """A member says the unmatched order with this number is theirs; an operator decides."""
    order_no = "".join((order_no or "").split())
    order = db.session.scalar(
        select(RebateOrder)
        .where(RebateOrder.order_no == order_no[:64], RebateOrder.user_id.is_(None))
        .limit(1)
    )
    if not order_no or order is None:
        raise ValidationFailed(
            [
                (
                    "order_no",
                    _(
                        "No unmatched order has this number yet. Orders appear after the next "
                        "report import; please try again in a few days."
                    ),
                )
            ]
        )
    claim = db.session.scalar(
        select(OrderClaim).where(OrderClaim.order_id == order.id, OrderClaim.user_id == user.id)
    )
    if claim is None:
        claim = OrderClaim(order_id=order.id, user_id=user.id, created_at=moment)
        db.session.add(claim)
        db.session.flush()
    return claim


def decide_claim(actor, claim: OrderClaim, accept: bool, moment: datetime) -> OrderClaim:
    """Accept (the order goes to the claimant) or reject an open claim, once."""
    if actor is None or not actor.is_operator:
        raise NotAllowed(_("Operators only."))
    decided = db.session.execute(
        update(OrderClaim)
        .where(OrderClaim.id == claim.id, OrderClaim.status == "open")
        .values(
            status="accepted" if accept else "rejected", decided_by_id=actor.id, decided_at=moment
        )
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        raise ValidationFailed([(None, _("This claim was already decided."))])
    db.session.refresh(claim)
    if accept:
        assign_order(actor, claim.order, claim.user, moment, how="claim")
    return claim


def open_claims(limit: int = 100) -> list[OrderClaim]:
    return list(
        db.session.scalars(
            select(OrderClaim)
            .where(OrderClaim.status == "open")
            .order_by(OrderClaim.created_at)
            .limit(limit)
        )
    )
