"""Period arithmetic: where a new period starts, cutting periods short, and the change log.

A year is 365 days. Grace periods (after a failed auto-renewal) give access but are never
paid time: they do not move the point a renewal extends from, and a renewal replaces them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from community.accounts.models import User
from community.database import lock_for_write
from community.extensions import db
from community.membership.models import MembershipChange, MembershipPeriod, PeriodSource, Tier

YEAR = timedelta(days=365)
DAY = timedelta(days=1)


def days_left(ends_at: datetime, moment: datetime) -> int:
    """Days from `moment` until `ends_at`, a day begun counting as a day (0 once ended): what
    "ends in N days" says to a member, in prompts and reminders alike."""
    remaining = ends_at - moment
    if remaining <= timedelta(0):
        return 0
    return -(-remaining // DAY)


def lock_member(user_id: int) -> None:
    """Serialise membership and money changes for one user until the transaction ends (a row
    lock on PostgreSQL, the database's write lock on SQLite); re-read what was loaded before."""
    lock_for_write(db.session, select(User.id).where(User.id == user_id))


def live_periods(user_id: int, moment: datetime) -> list[MembershipPeriod]:
    """Unrevoked periods of the user that have not ended at `moment`, by start."""
    return list(
        db.session.scalars(
            select(MembershipPeriod)
            .where(
                MembershipPeriod.user_id == user_id,
                MembershipPeriod.revoked_at.is_(None),
                MembershipPeriod.ends_at > moment,
            )
            .order_by(MembershipPeriod.starts_at, MembershipPeriod.id)
        )
    )


def paid_until(user_id: int, tier: Tier, moment: datetime) -> datetime | None:
    """Latest end of the paid or granted time on `tier` or a higher tier still to come."""
    ends = [
        period.ends_at
        for period in live_periods(user_id, moment)
        if period.source != PeriodSource.GRACE and period.tier.rank >= tier.rank
    ]
    return max(ends) if ends else None


def tier_paid_until(user_id: int, tier: Tier, moment: datetime) -> datetime | None:
    """Latest end of paid or granted time on exactly `tier` still to come."""
    ends = [
        period.ends_at
        for period in live_periods(user_id, moment)
        if period.source != PeriodSource.GRACE and period.tier_id == tier.id
    ]
    return max(ends) if ends else None


def active_grace(user_id: int, tier: Tier, moment: datetime) -> MembershipPeriod | None:
    """A grace period on `tier` or higher that covers `moment`."""
    for period in live_periods(user_id, moment):
        grace = period.source == PeriodSource.GRACE
        if grace and period.tier.rank >= tier.rank and period.covers(moment):
            return period
    return None


def last_paid_end(user_id: int, tier: Tier) -> datetime | None:
    """End of the latest unrevoked paid or granted period on `tier`, past or future."""
    return db.session.scalar(
        select(MembershipPeriod.ends_at)
        .where(
            MembershipPeriod.user_id == user_id,
            MembershipPeriod.tier_id == tier.id,
            MembershipPeriod.revoked_at.is_(None),
            MembershipPeriod.source != PeriodSource.GRACE,
        )
        .order_by(MembershipPeriod.ends_at.desc())
        .limit(1)
    )


def next_start(user_id: int, tier: Tier, moment: datetime) -> datetime:
    """Where time on `tier` bought (or granted) at `moment` begins.

    After the paid time on this tier or any higher one (an early renewal extends from the
    current end, a downgrade starts when the higher tier ends); during an active grace
    period, where the grace began (the new time covers the grace days it replaces, see
    `end_grace_periods`); otherwise now.
    """
    until = paid_until(user_id, tier, moment)
    if until is not None:
        return until
    grace = active_grace(user_id, tier, moment)
    if grace is not None:
        return grace.starts_at
    return moment


def end_grace_periods(user_id: int, tier: Tier, moment: datetime, **why) -> None:
    """Revoke the grace periods on `tier` still running: paid or granted time replaces them.

    `why` (actor, reason, payment) goes into the history row of each.
    """
    for period in live_periods(user_id, moment):
        if period.source == PeriodSource.GRACE and period.tier_id == tier.id:
            period.revoked_at = moment
            record_change(user_id, "grace_ended", moment, period=period, **why)


def end_grace_after(period: MembershipPeriod, moment: datetime) -> None:
    """Revoke a grace period that follows `period`: it extended time that is going away."""
    for grace in live_periods(period.user_id, period.ends_at):
        if (grace.source, grace.tier_id, grace.starts_at) == (
            PeriodSource.GRACE,
            period.tier_id,
            period.ends_at,
        ):
            grace.revoked_at = moment
            record_change(period.user_id, "grace_ended", moment, period=grace)


def cut_period(period: MembershipPeriod, new_end: datetime, moment: datetime):
    """Shorten `period` to end at `new_end`: revoke it and add the shorter copy, if any is left.

    Returns the replacement period, or None when nothing of it is left.
    """
    end_grace_after(period, moment)
    period.revoked_at = moment
    if new_end <= period.starts_at:
        db.session.flush()
        return None
    replacement = MembershipPeriod(
        user_id=period.user_id,
        tier_id=period.tier_id,
        starts_at=period.starts_at,
        ends_at=new_end,
        source=period.source,
        granted_by_id=period.granted_by_id,
        reason=period.reason,
        payment_id=period.payment_id,
        created_at=moment,
    )
    db.session.add(replacement)
    db.session.flush()
    return replacement


def cut_unbacked_upgrades(user_id: int, moment: datetime, **why) -> list[MembershipPeriod]:
    """Keep each live upgrade period only where lower paid tiers' time still covers it.

    An upgrade was priced as the difference to the lower tier's time under it; once that time
    is refunded, revoked or moved, the upgrade keeps only the parts still covered from
    `moment` on (time already past stays). `why` (actor, reason, payment) goes into the
    history. Returns the upgrade periods that were cut.
    """
    live = [p for p in live_periods(user_id, moment) if p.source != PeriodSource.GRACE]
    cut = []
    for period in sorted(live, key=lambda p: p.tier.rank):
        if period.source != PeriodSource.UPGRADE or period.revoked_at is not None:
            continue
        backing = [
            (lower.starts_at, lower.ends_at)
            for lower in live
            if lower.revoked_at is None
            and lower.tier.is_paid
            and lower.tier.rank < period.tier.rank
        ]
        start = max(period.starts_at, moment)
        pieces = merged([(period.starts_at, start), *clipped(backing, start, period.ends_at)])
        if pieces == [(period.starts_at, period.ends_at)]:
            continue
        period.revoked_at = moment
        cut.append(period)
        kept = [
            add_period(
                user_id,
                period.tier,
                piece_start,
                piece_end,
                PeriodSource.UPGRADE,
                moment,
                payment_id=period.payment_id,
            )
            for piece_start, piece_end in pieces
        ]
        live.extend(kept)
        for piece in kept or [period]:
            record_change(user_id, "upgrade_cut", moment, period=piece, **why)
    return cut


def clipped(spans, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of `spans` within [start, end)."""
    return [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]


def merged(spans) -> list[tuple[datetime, datetime]]:
    """Non-empty spans joined where they touch or overlap, by start."""
    joined: list[list[datetime]] = []
    for start, end in sorted(span for span in spans if span[0] < span[1]):
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [(start, end) for start, end in joined]


def add_period(
    user_id: int,
    tier: Tier,
    starts_at: datetime,
    ends_at: datetime,
    source: str,
    moment: datetime,
    *,
    payment_id: int | None = None,
    granted_by_id: int | None = None,
    reason: str = "",
) -> MembershipPeriod:
    period = MembershipPeriod(
        user_id=user_id,
        tier_id=tier.id,
        starts_at=starts_at,
        ends_at=ends_at,
        source=source,
        payment_id=payment_id,
        granted_by_id=granted_by_id,
        reason=reason,
        created_at=moment,
    )
    db.session.add(period)
    db.session.flush()
    return period


def record_change(
    user_id: int,
    action: str,
    moment: datetime,
    *,
    actor=None,
    reason: str = "",
    payment=None,
    period: MembershipPeriod | None = None,
    tier: Tier | None = None,
) -> MembershipChange:
    """Append one row to the membership history."""
    tier_id = tier.id if tier is not None else getattr(period, "tier_id", None)
    change = MembershipChange(
        user_id=user_id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        reason=reason,
        payment_id=payment.id if payment is not None else None,
        period_id=period.id if period is not None else None,
        tier_id=tier_id,
        starts_at=period.starts_at if period is not None else None,
        ends_at=period.ends_at if period is not None else None,
        created_at=moment,
    )
    db.session.add(change)
    db.session.flush()
    return change
