"""Auto-renewing card subscriptions: the profile's state and grace after a failed renewal."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from community.billing.models import BillingProfile
from community.billing.settings import billing_settings
from community.errors import ValidationFailed
from community.extensions import db
from community.membership import periods
from community.membership.models import MembershipPeriod, PeriodSource, Tier

RENEWING_STATUSES = ("active", "trialing", "past_due")


def profile_for(user_id: int) -> BillingProfile:
    """The user's billing profile to change, created empty on first use (race-safe)."""
    profile = db.session.get(BillingProfile, user_id)
    if profile is not None:
        return profile
    try:
        with db.session.begin_nested():
            profile = BillingProfile(user_id=user_id, auto_renew=False, subscription_status="")
            db.session.add(profile)
    except IntegrityError:
        # Another transaction created it first; it is committed and visible now.
        profile = db.session.get(BillingProfile, user_id, populate_existing=True)
    return profile


def profile_to_read(user_id: int) -> BillingProfile:
    """The user's billing profile for display; an unsaved empty one when there is none."""
    return db.session.get(BillingProfile, user_id) or BillingProfile(
        user_id=user_id, auto_renew=False, subscription_status=""
    )


def apply_subscription_state(
    profile: BillingProfile,
    status: str,
    cancel_at_period_end: bool,
    event_created: datetime,
    moment: datetime,
) -> bool:
    """Take the provider's view of the subscription unless a newer one was applied already.

    Returns False for a stale event (older than the watermark), which changes nothing.
    """
    if (
        profile.subscription_watermark is not None
        and event_created < profile.subscription_watermark
    ):
        return False
    auto_renew = status in RENEWING_STATUSES and not cancel_at_period_end
    profile.subscription_watermark = event_created
    if (profile.subscription_status, profile.auto_renew) == (status, auto_renew):
        return True
    profile.subscription_status = status
    profile.auto_renew = auto_renew
    periods.record_change(
        profile.user_id,
        "auto_renew_on" if auto_renew else "auto_renew_off",
        moment,
        reason=status,
        tier=profile.subscription_tier,
    )
    return True


def start_grace(user_id: int, tier: Tier, moment: datetime) -> MembershipPeriod | None:
    """After a failed renewal, keep access for the grace days past the paid end, once."""
    paid_end = periods.last_paid_end(user_id, tier)
    days = billing_settings().grace_days
    if paid_end is None or days <= 0:
        return None
    grace_end = paid_end + timedelta(days=days)
    if grace_end <= moment:
        return None
    for period in periods.live_periods(user_id, paid_end):
        if period.source == PeriodSource.GRACE and period.starts_at == paid_end:
            return None
    period = periods.add_period(user_id, tier, paid_end, grace_end, PeriodSource.GRACE, moment)
    periods.record_change(user_id, "grace", moment, reason="renewal payment failed", period=period)
    return period


def schedule_downgrade(user, tier: Tier | None, moment: datetime) -> BillingProfile:
    """Renew an auto-renewing subscription on a lower tier; the current year is unchanged."""
    profile = profile_for(user.id)
    current = profile.subscription_tier
    if not profile.subscription_id or not profile.auto_renew or current is None:
        raise ValidationFailed(
            [(None, _("Only an auto-renewing subscription can switch tier at its next renewal."))]
        )
    if tier is None or not tier.is_paid or tier.rank >= current.rank:
        raise ValidationFailed([("tier", _("Choose a lower paid tier."))])
    profile.next_tier_id = tier.id
    periods.record_change(user.id, "downgrade_scheduled", moment, actor=user, tier=tier)
    db.session.flush()
    return profile


def renewing_tier(profile: BillingProfile) -> Tier:
    """The tier the subscription's next renewal buys."""
    return profile.next_tier or profile.subscription_tier


def renewed_on(profile: BillingProfile, tier: Tier) -> None:
    """A renewal on `tier` was paid: it is now the subscription's tier."""
    profile.subscription_tier_id = tier.id
    profile.next_tier_id = None
