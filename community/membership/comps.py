"""Complimentary periods and operator tier changes, each carrying the operator and a reason."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from community.errors import ValidationFailed
from community.membership import periods
from community.membership.models import MembershipPeriod, PeriodSource, Tier

MAX_COMP_DAYS = 3650


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _("Please give a reason."))])
    return reason


def grant_comp(
    user, tier: Tier | None, days: int | None, reason: str | None, actor, moment: datetime
) -> MembershipPeriod:
    """Give `user` `days` free days on `tier`, after any time they already have on it."""
    errors = []
    if tier is None or not tier.is_paid:
        errors.append(("tier", _("Choose a paid tier.")))
    if days is None or days < 1:
        errors.append(("days", _("A complimentary period lasts at least one day.")))
    elif days > MAX_COMP_DAYS:
        most = ngettext(
            "At most %(num)d day at a time.", "At most %(num)d days at a time.", MAX_COMP_DAYS
        )
        errors.append(("days", most))
    if not (reason or "").strip():
        errors.append(("reason", _("Please give a reason.")))
    if errors:
        raise ValidationFailed(errors)
    periods.lock_member(user.id)
    start = periods.next_start(user.id, tier, moment)
    periods.end_grace_periods(user.id, tier, moment, actor=actor, reason=reason.strip())
    period = periods.add_period(
        user.id,
        tier,
        start,
        start + timedelta(days=days),
        PeriodSource.COMP,
        moment,
        granted_by_id=actor.id if actor is not None else None,
        reason=reason.strip(),
    )
    periods.record_change(
        user.id, "comp", moment, actor=actor, reason=reason.strip(), period=period
    )
    return period


def check_revocable(period: MembershipPeriod | None) -> MembershipPeriod:
    """Refuse anything but a complimentary period not yet revoked."""
    if period is None or period.source != PeriodSource.COMP or period.revoked_at is not None:
        raise ValidationFailed([("period", _("There is no such complimentary period to revoke."))])
    return period


def check_new_tier(tier: Tier | None) -> Tier:
    """Refuse a tier change to anything but a paid tier."""
    if tier is None or not tier.is_paid:
        raise ValidationFailed([("tier", _("Choose a paid tier."))])
    return tier


def revoke_comp(period: MembershipPeriod | None, reason: str | None, actor, moment: datetime):
    reason = check_reason(reason)
    check_revocable(period)
    periods.lock_member(period.user_id)
    periods.end_grace_after(period, moment)
    period.revoked_at = moment
    periods.record_change(
        period.user_id, "comp_revoked", moment, actor=actor, reason=reason, period=period
    )
    periods.cut_unbacked_upgrades(period.user_id, moment, actor=actor, reason=reason)
    return period


def change_tier(user, tier: Tier | None, reason: str | None, actor, moment: datetime):
    """Move the rest of `user`'s paid time onto `tier` from now; past time stays as it was.

    Upgrade time moves too: it stands on the lower tier's time, which moves with it.
    """
    reason = check_reason(reason)
    check_new_tier(tier)
    periods.lock_member(user.id)
    live = [p for p in periods.live_periods(user.id, moment) if p.source != PeriodSource.GRACE]
    others = [p for p in live if p.tier_id != tier.id or p.source == PeriodSource.UPGRADE]
    if not others:
        raise ValidationFailed([("tier", _("The member has no time on another tier to move."))])
    end = max(p.ends_at for p in others)
    for period in others:
        cut = periods.cut_period(period, max(moment, period.starts_at), moment)
        periods.record_change(
            user.id, "tier_changed", moment, actor=actor, reason=reason, period=cut or period
        )
    start = max([moment] + [p.ends_at for p in live if p.tier_id == tier.id and p not in others])
    if start >= end:
        return None
    period = periods.add_period(
        user.id,
        tier,
        start,
        end,
        PeriodSource.CHANGE,
        moment,
        granted_by_id=actor.id if actor is not None else None,
        reason=reason,
    )
    periods.record_change(
        user.id, "tier_changed", moment, actor=actor, reason=reason, period=period
    )
    return period
