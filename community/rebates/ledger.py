"""The ledger: append-only signed entries, balances as sums of them, and bringing an order
line's or a payment's entries to where they should be by writing only the difference.

States: `pending` (credited, not yet settled), `confirmed` (settled; withdrawable from its
`available_at`), `frozen` (a withdrawal or a checkout in flight) and `paid` (paid out to the
member, or spent on dues). Moving money between states writes two entries that sum to zero.
A confirmed entry whose `pending_until` is still ahead counts as pending.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, case, func, insert, or_, select

from community.extensions import db
from community.rebates.models import (
    CONFIRMED,
    FROZEN,
    PAID_OUT,
    PENDING,
    RECEIVED,
    SETTLED,
    LedgerEntry,
)
from community.rebates.models import PAID as LINE_PAID
from community.rebates.split import rebate_split

PENDING_STATUSES = (LINE_PAID, RECEIVED)


@dataclass(frozen=True)
class Balances:
    """A member's money by state, in fen."""

    pending: int = 0
    confirmed: int = 0
    withdrawable: int = 0
    frozen: int = 0
    paid: int = 0

    @property
    def owed(self) -> int:
        """What the site still holds for the member: pending, confirmed and frozen."""
        return self.pending + self.confirmed + self.frozen

    def as_dict(self) -> dict[str, int]:
        return {
            "pending": self.pending,
            "confirmed": self.confirmed,
            "withdrawable": self.withdrawable,
            "frozen": self.frozen,
            "paid": self.paid,
        }


def balance_sums(moment: datetime):
    """The five sums as SQL expressions over LedgerEntry at `moment`."""
    entry = LedgerEntry
    waiting = and_(entry.state == CONFIRMED, entry.pending_until > moment)
    settled = and_(
        entry.state == CONFIRMED, or_(entry.pending_until.is_(None), entry.pending_until <= moment)
    )

    def total(condition):
        return func.coalesce(func.sum(case((condition, entry.amount), else_=0)), 0)

    return (
        total(or_(entry.state == PENDING, waiting)),
        total(settled),
        total(and_(settled, entry.available_at <= moment)),
        total(entry.state == FROZEN),
        total(entry.state == PAID_OUT),
    )


def balances(user_id: int, moment: datetime) -> Balances:
    """The member's balances at `moment`: sums of their entries."""
    row = db.session.execute(
        select(*balance_sums(moment)).where(LedgerEntry.user_id == user_id)
    ).one()
    return Balances(*(int(value) for value in row))


def liabilities(moment: datetime) -> Balances:
    """Every member's balances added up: what the site owes is pending + confirmed + frozen."""
    row = db.session.execute(select(*balance_sums(moment))).one()
    return Balances(*(int(value) for value in row))


ENTRY_DEFAULTS = {
    "order_id": None,
    "line_id": None,
    "withdrawal_id": None,
    "payment_id": None,
    "pending_until": None,
    "reason": "",
    "actor_id": None,
    "import_id": None,
}


def write(entries: list[dict]) -> None:
    """Append entries (from `entry`) in one statement."""
    if entries:
        db.session.execute(insert(LedgerEntry.__table__), entries)


def entry(user_id: int, kind: str, amount: int, state: str, moment: datetime, **fields) -> dict:
    """One entry's columns, every one named (so a batch inserts as one statement)."""
    return {
        **ENTRY_DEFAULTS,
        "user_id": user_id,
        "kind": kind,
        "amount": amount,
        "state": state,
        "created_at": moment,
        "available_at": moment,
        **fields,
    }


# Money taken out of the withdrawable balance (a withdrawal frozen, dues held) counts against it
# at once, at whatever moment a balance is asked for: a request that took its moment before
# waiting for the member's lock (or on a host whose clock is behind) must still see it.
SPENT_AT_ONCE = datetime(1970, 1, 1, tzinfo=UTC)


def spend(
    user_id: int, kind: str, amount: int, target: str, moment: datetime, **fields
) -> list[dict]:
    """Two entries taking `amount` out of the withdrawable balance into `target`."""
    return [
        entry(user_id, kind, -amount, CONFIRMED, moment, available_at=SPENT_AT_ONCE, **fields),
        entry(user_id, kind, amount, target, moment, **fields),
    ]


def move(
    user_id: int, kind: str, amount: int, source: str, target: str, moment: datetime, **fields
) -> list[dict]:
    """Two entries moving `amount` from state `source` to `target`."""
    return [
        entry(user_id, kind, -amount, source, moment, **fields),
        entry(user_id, kind, amount, target, moment, **fields),
    ]


@dataclass
class Credited:
    """What the ledger holds for one (line, member, kind): sums by state and the timing of
    the latest confirmed credit (a clawback takes the same, so the two cancel out)."""

    sums: dict
    available_at: datetime | None = None
    pending_until: datetime | None = None


def credited_for_lines(line_ids: list[int]) -> dict[tuple[int, int, str], Credited]:
    """(line id, user id, kind) → what the ledger holds for it."""
    found: dict[tuple[int, int, str], Credited] = defaultdict(lambda: Credited({}))
    if not line_ids:
        return found
    rows = db.session.execute(
        select(
            LedgerEntry.line_id,
            LedgerEntry.user_id,
            LedgerEntry.kind,
            LedgerEntry.state,
            func.sum(LedgerEntry.amount),
            func.max(case((LedgerEntry.amount > 0, LedgerEntry.available_at))),
            func.max(LedgerEntry.pending_until),
        )
        .where(LedgerEntry.line_id.in_(line_ids))
        .group_by(LedgerEntry.line_id, LedgerEntry.user_id, LedgerEntry.kind, LedgerEntry.state)
    )
    for line_id, user_id, kind, state, total, available_at, pending_until in rows:
        credited = found[(line_id, user_id, kind)]
        credited.sums[state] = int(total)
        if state == CONFIRMED:
            credited.available_at = available_at
            credited.pending_until = pending_until
    return found


def line_targets(line, order, holding_days: int, moment: datetime) -> list[tuple]:
    """(user id, kind, state, amount, available_at, pending_until) the line should hold."""
    if order.user_id is None:
        return []
    split = rebate_split(line["commission"], order.buyer_share, order.referral_share)
    if line["status"] in PENDING_STATUSES:
        state = PENDING
    elif line["status"] == SETTLED:
        state = CONFIRMED
    else:
        state = None
    available_at = (line["settled_at"] or moment) + timedelta(days=holding_days)
    targets = [(order.user_id, "rebate", state, split.buyer, available_at, None)]
    if order.inviter_id is not None:
        referral = 0 if order.referral_void_at is not None else split.referral
        wait = order.referral_wait_until
        referral_available = max(available_at, wait) if wait else available_at
        targets.append((order.inviter_id, "referral", state, referral, referral_available, wait))
    return targets


def line_differences(
    line: dict,
    order,
    credited: dict[tuple[int, int, str], Credited],
    holding_days: int,
    moment: datetime,
    **fields,
) -> list[dict]:
    """The entries that bring the line's credits to what its status and commission say."""
    entries = []
    for user_id, kind, state, amount, available_at, pending_until in line_targets(
        line, order, holding_days, moment
    ):
        held = credited.get((line["id"], user_id, kind)) or Credited({})
        for bucket in (PENDING, CONFIRMED):
            want = amount if bucket == state else 0
            delta = want - held.sums.get(bucket, 0)
            if not delta:
                continue
            timing = {}
            if bucket == CONFIRMED and delta > 0:
                timing = {"available_at": available_at, "pending_until": pending_until}
            elif bucket == CONFIRMED:
                timing = {
                    "available_at": held.available_at or moment,
                    "pending_until": held.pending_until,
                }
            entries.append(
                entry(
                    user_id,
                    kind,
                    delta,
                    bucket,
                    moment,
                    order_id=order.id,
                    line_id=line["id"],
                    **timing,
                    **fields,
                )
            )
    return entries


def payment_differences(payment, moment: datetime) -> list[dict]:
    """The dues entries that bring a payment's balance part to where the payment stands:
    frozen while checkout is open, paid once the payment is, back (in part) as refunded."""
    held: dict[str, int] = dict(
        db.session.execute(
            select(LedgerEntry.state, func.sum(LedgerEntry.amount))
            .where(LedgerEntry.payment_id == payment.id, LedgerEntry.kind == "dues")
            .group_by(LedgerEntry.state)
        ).all()
    )
    frozen = paid = 0
    if payment.status in ("pending", "processing"):
        frozen = payment.balance_amount
    elif payment.status == "paid":
        paid = payment.balance_amount - payment.balance_refunded_amount
    wanted = {FROZEN: frozen, PAID_OUT: paid, CONFIRMED: -(frozen + paid)}
    changes = {
        state: wanted[state] - int(held.get(state) or 0) for state in (CONFIRMED, FROZEN, PAID_OUT)
    }
    return [
        entry(
            payment.user_id,
            "dues",
            difference,
            state,
            moment,
            payment_id=payment.id,
            reason=f"payment #{payment.id}",
            **({"available_at": SPENT_AT_ONCE} if state == CONFIRMED and difference < 0 else {}),
        )
        for state, difference in changes.items()
        if difference
    ]


def entries_of(user_id: int, limit: int | None = None) -> list[LedgerEntry]:
    """The member's entries, oldest first (the last `limit` of them)."""
    query = select(LedgerEntry).where(LedgerEntry.user_id == user_id)
    if limit is None:
        return list(db.session.scalars(query.order_by(LedgerEntry.id)))
    newest = list(db.session.scalars(query.order_by(LedgerEntry.id.desc()).limit(limit)))
    return newest[::-1]


def with_running_balance(user_id: int) -> list[tuple[LedgerEntry, int]]:
    """Every entry of the member with what the site owed them after it (all but paid out)."""
    running = 0
    rows = []
    for item in entries_of(user_id):
        if item.state != PAID_OUT:
            running += item.amount
        rows.append((item, running))
    return rows
