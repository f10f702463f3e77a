"""Answer "may this user do X now?" from their tier and active membership periods."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import aliased

from community.accounts import session_values
from community.accounts.models import User
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod, Tier
from community.membership.tiers import FREE, tier_by_slug
from community.rendering.shared import register_personal_value

ENTITLEMENTS = ("read_answers", "ask", "deals", "ask_expert")
register_personal_value("standings")


@dataclass(frozen=True)
class Standing:
    """Where a user stands at one moment: their tier and until when it is covered."""

    tier: Tier
    active_until: datetime | None

    @property
    def is_member(self) -> bool:
        return self.tier.is_paid


# Asked on every page a signed-in user opens, so prepared once; the tier comes with each
# period's dates (the periods themselves are not needed to answer).
LIVE_PERIODS = (
    select(Tier, MembershipPeriod.starts_at, MembershipPeriod.ends_at)
    .join(Tier, MembershipPeriod.tier_id == Tier.id)
    .where(
        MembershipPeriod.user_id == bindparam("user_id"),
        MembershipPeriod.revoked_at.is_(None),
        MembershipPeriod.ends_at > bindparam("moment"),
    )
    .order_by(MembershipPeriod.starts_at)
)


def standing_at(user, moment: datetime) -> Standing:
    """Compute a user's standing at `moment` from their unrevoked periods."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Standing(tier=tier_by_slug(FREE), active_until=None)
    periods = db.session.execute(LIVE_PERIODS, {"user_id": user.id, "moment": moment}).all()
    covering = [tier for tier, starts_at, ends_at in periods if starts_at <= moment < ends_at]
    if not covering:
        return Standing(tier=tier_by_slug(FREE), active_until=None)
    tier = max(covering, key=lambda tier: tier.rank)
    return Standing(tier=tier, active_until=covered_until(periods, moment))


def covered_until(periods, moment: datetime) -> datetime:
    """End of the unbroken run of periods (rows of tier, start, end; by start) covering `moment`."""
    end = moment
    for _tier, starts_at, ends_at in periods:
        if starts_at <= end and ends_at > end:
            end = ends_at
    return end


def standing(user) -> Standing:
    """The user's standing now, computed once per request."""
    if not has_request_context():
        return standing_at(user, utcnow())
    cache = g.setdefault("standings", {})
    key = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
    if key not in cache:
        cache[key] = standing_at(user, utcnow())
    return cache[key]


def held_tier_of_session_user():
    """The tier a session user holds at `now` (highest rank among periods covering it),
    joined to the user as they load (session_values): `may` then needs no query of its own."""
    best = (
        select(MembershipPeriod.tier_id)
        .join(Tier, MembershipPeriod.tier_id == Tier.id)
        .where(
            MembershipPeriod.user_id == User.id,
            MembershipPeriod.revoked_at.is_(None),
            MembershipPeriod.starts_at <= bindparam("now"),
            MembershipPeriod.ends_at > bindparam("now"),
        )
        .order_by(Tier.rank.desc())
        .limit(1)
        .scalar_subquery()
    )
    held = aliased(Tier, name="held_tier")
    return held, held.id == best


session_values.register_joined("held_tier", held_tier_of_session_user)


@event.listens_for(db.session, "before_flush")
def forget_standing_on_change(session, _flush_context, _instances) -> None:
    """A request that changes membership periods asks again for what they grant."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(instance, MembershipPeriod) for instance in changed):
        session_values.forget("held_tier")
        if has_request_context():
            g.pop("standings", None)


def tier_now(user) -> Tier:
    """The tier whose entitlements `user` has now."""
    if getattr(user, "is_authenticated", False):
        held = session_values.value(user.id, "held_tier")
        if held is not session_values.MISSING:
            return held or tier_by_slug(FREE)
    return standing(user).tier


def may(user, entitlement: str) -> bool:
    """True when `user` may use `entitlement` now; operators and admins may use everything."""
    if entitlement not in ENTITLEMENTS:
        raise ValueError(f"unknown entitlement {entitlement!r}")
    if getattr(user, "is_authenticated", False) and user.is_operator:
        return True
    return tier_now(user).grants(entitlement)


def is_member(user) -> bool:
    """True for an active paid tier, and for staff; never for someone not signed in (whatever
    the free tier's price says), and asked of no table for them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_operator or tier_now(user).is_paid
