"""The renewal prompt: in the renewal window the header and home show the end date, the
discounted price and one button to renew; a lapsed member sees what they lost and one button.

The header asks on every page, so the end of a member's paid time is loaded with the session
user (`session_values`); only a member whose end is near or past is asked anything more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from markupsafe import Markup
from sqlalchemy import func, select

from community.accounts import session_values
from community.accounts.models import User
from community.billing import purchases
from community.billing.settings import RENEWAL_WINDOW_DAYS
from community.billing.subscriptions import profile_to_read
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.home import register_home_section, section_html
from community.membership.entitlements import standing_at
from community.membership.models import MembershipPeriod, Tier
from community.membership.periods import days_left
from community.templating import register_header_notice

RENEW, LAPSED = "renew", "lapsed"


@dataclass(frozen=True)
class RenewalPrompt:
    kind: str  # RENEW (the end is near) or LAPSED (the membership has ended)
    tier: Tier
    ends_at: datetime
    offer: purchases.Quote

    @property
    def days_left(self) -> int:
        return days_left(self.ends_at, self.offer.quoted_at)


def paid_end_of_session_user():
    """The latest end of the session user's unrevoked paid periods (None: never paid)."""
    return (
        select(func.max(MembershipPeriod.ends_at))
        .join(Tier, MembershipPeriod.tier_id == Tier.id)
        .where(
            MembershipPeriod.user_id == User.id,
            MembershipPeriod.revoked_at.is_(None),
            Tier.annual_price > 0,
        )
        .scalar_subquery()
    )


session_values.register("paid_end", paid_end_of_session_user)


def last_paid_period(user_id: int) -> MembershipPeriod | None:
    return db.session.scalars(
        select(MembershipPeriod)
        .join(Tier, MembershipPeriod.tier_id == Tier.id)
        .where(
            MembershipPeriod.user_id == user_id,
            MembershipPeriod.revoked_at.is_(None),
            Tier.annual_price > 0,
        )
        .order_by(MembershipPeriod.ends_at.desc())
        .limit(1)
    ).first()


def renewal_prompt(user, moment: datetime) -> RenewalPrompt | None:
    """What to prompt `user` at `moment`, or None (not in the window, renewing automatically,
    never a paying member, or staff)."""
    if not getattr(user, "is_authenticated", False) or user.is_operator:
        return None
    paid_end = session_values.value(user.id, "paid_end")
    if paid_end is None:
        return None
    # Most pages: a member whose paid time ends well ahead is asked nothing more.
    if paid_end is not session_values.MISSING and paid_end - moment > timedelta(
        days=RENEWAL_WINDOW_DAYS
    ):
        return None
    current = standing_at(user, moment)
    if current.is_member:
        if current.active_until - moment > timedelta(days=RENEWAL_WINDOW_DAYS):
            return None
        if profile_to_read(user.id).auto_renew:
            return None
        kind, tier, ends_at = RENEW, current.tier, current.active_until
    else:
        last = last_paid_period(user.id)
        if last is None:
            return None
        kind, tier, ends_at = LAPSED, last.tier, last.ends_at
    if not tier.is_public:
        return None
    try:
        offer = purchases.quote(user, tier, moment)
    except ValidationFailed:
        return None
    return RenewalPrompt(kind, tier, ends_at, offer)


def header_notice(user) -> Markup:
    prompt = renewal_prompt(user, utcnow())
    if prompt is None:
        return Markup("")
    return section_html("billing/_renewal_notice.html", prompt=prompt)


def home_card(user) -> Markup | None:
    prompt = renewal_prompt(user, utcnow())
    if prompt is None:
        return None
    return section_html("billing/_renewal_card.html", prompt=prompt)


def init_app(app: Flask) -> None:
    register_header_notice(app, header_notice)
    register_home_section(app, "billing-renewal", 0, home_card)
