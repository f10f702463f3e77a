"""Buying a year: the quote, the pending payment, and fulfilment once the money arrived.

Rounding: prices are integers in fen. A renewal discount and an upgrade's proration both
round down, in the member's favour; an upgrade is priced by whole remaining days.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from community.accounts.models import User
from community.billing import balance as dues_balance
from community.billing.models import Payment
from community.billing.providers import BALANCE
from community.billing.settings import RENEWAL_WINDOW_DAYS, billing_settings
from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.membership import periods
from community.membership.entitlements import standing_at
from community.membership.models import PeriodSource, Tier
from community.membership.tiers import tier_by_slug, tier_name

log = logging.getLogger(__name__)

NEW, RENEWAL, UPGRADE = "new", "renewal", "upgrade"
KINDS = (NEW, RENEWAL, UPGRADE)
PASS, SUBSCRIPTION = "pass", "subscription"
PENDING, PROCESSING, PAID, FAILED, FLAGGED = "pending", "processing", "paid", "failed", "flagged"


@dataclass(frozen=True)
class Quote:
    """What a purchase of `tier` costs a user at one moment, and the period it buys."""

    tier: Tier
    kind: str
    amount: int
    currency: str
    starts_at: datetime
    ends_at: datetime
    quoted_at: datetime
    discount_percent: int = 0

    @property
    def allows_subscription(self) -> bool:
        """A card subscription bills from today, so only a purchase that starts today fits."""
        return self.kind != UPGRADE and self.starts_at <= self.quoted_at


def sellable_tier(slug: str | None) -> Tier:
    tier = tier_by_slug(slug) if slug else None
    if tier is None or not tier.is_paid or not tier.is_public:
        raise ValidationFailed([("tier", _("This tier is not for sale."))])
    return tier


def quote(user: User, tier: Tier, moment: datetime) -> Quote:
    """Price `tier` for `user` at `moment`: new, renewal (maybe discounted) or upgrade."""
    if not tier.is_paid or not tier.is_public:
        raise ValidationFailed([("tier", _("This tier is not for sale."))])
    current = standing_at(user, moment)
    if current.is_member and current.tier.rank < tier.rank:
        current_until = periods.tier_paid_until(user.id, current.tier, moment)
        if current_until is not None and periods.paid_until(user.id, tier, moment) is None:
            return upgrade_quote(current.tier, tier, moment, current_until)
    start = periods.next_start(user.id, tier, moment)
    settings = billing_settings()
    kind = NEW
    if start > moment or periods.active_grace(user.id, tier, moment) is not None:
        kind = RENEWAL
    else:
        last_end = periods.last_paid_end(user.id, tier)
        if last_end is not None and last_end >= moment - timedelta(days=settings.grace_days):
            kind = RENEWAL
    discount = 0
    if kind == RENEWAL and start - moment <= timedelta(days=RENEWAL_WINDOW_DAYS):
        discount = settings.renewal_discount_percent
    amount = tier.annual_price * (100 - discount) // 100
    return Quote(tier, kind, amount, tier.currency, start, start + periods.YEAR, moment, discount)


def upgrade_quote(current: Tier, tier: Tier, moment: datetime, until: datetime) -> Quote:
    days = (until - moment).days
    amount = (tier.annual_price - current.annual_price) * days // 365
    if amount <= 0:
        raise ValidationFailed(
            [("tier", _("Too little of your membership is left to upgrade; renew instead."))]
        )
    return Quote(tier, UPGRADE, amount, tier.currency, moment, until, moment)


def start_purchase(
    user: User,
    tier_slug: str | None,
    kind: str | None,
    amount: int | None,
    mode: str,
    provider: str,
    moment: datetime,
    *,
    subscriptions: bool = True,
    balance: int = 0,
) -> Payment:
    """Check what the checkout form says against a fresh quote and record a pending payment.

    `subscriptions` says whether the provider can sell auto-renewing subscriptions at all.
    `balance` fen of the price come from the member's balance, held at once; when it covers
    the whole price the payment needs no provider (its provider is `balance`).
    """
    tier = sellable_tier(tier_slug)
    offer = quote(user, tier, moment)
    if kind != offer.kind:
        if offer.kind == RENEWAL:
            message = _(
                "You already have %(tier)s, so this is a renewal from %(date)s. "
                "Please review the renewal and confirm again.",
                tier=tier_name(tier),
                date=format_date(offer.starts_at),
            )
        else:
            message = _("This offer has changed. Please review it and confirm again.")
        raise ValidationFailed([("kind", message)])
    if amount != offer.amount:
        raise ValidationFailed(
            [("amount", _("The price has changed. Please review the new price and confirm again."))]
        )
    subscription_ok = subscriptions and offer.allows_subscription
    if mode not in (PASS, SUBSCRIPTION) or (mode == SUBSCRIPTION and not subscription_ok):
        raise ValidationFailed(
            [("mode", _("A card subscription is not available for this purchase."))]
        )
    check_balance_part(balance, offer, mode)
    payment = Payment(
        user_id=user.id,
        tier_id=tier.id,
        provider=BALANCE if balance and balance == offer.amount else provider,
        mode=mode,
        kind=offer.kind,
        amount=offer.amount,
        balance_amount=balance,
        currency=offer.currency,
        status=PENDING,
        period_ends_at=offer.ends_at if offer.kind == UPGRADE else None,
        created_at=moment,
    )
    db.session.add(payment)
    db.session.flush()
    if balance:
        dues_balance.dues_balance().hold(payment, moment)
    return payment


def check_balance_part(balance: int, offer: Quote, mode: str) -> None:
    """A balance part is for one-off passes, from nothing up to the whole price."""
    if not balance:
        return
    if balance < 0 or balance > offer.amount:
        raise ValidationFailed(
            [("balance", _("Pay at most the price from your balance, and no less than nothing."))]
        )
    if mode != PASS or dues_balance.dues_balance() is None:
        raise ValidationFailed(
            [("balance", _("A card subscription cannot be paid from your balance."))]
        )


def fulfil_payment(payment: Payment, amount: int, currency: str, moment: datetime):
    """Grant what a paid payment bought, once. Returns the new period, or None.

    `amount` is what the provider collected: the price less any part paid from the balance.
    A second call for the same payment changes nothing. A paid amount or currency that
    differs from the quote grants nothing and flags the payment for operators.
    """
    periods.lock_member(payment.user_id)
    db.session.refresh(payment)
    if payment.status in (PAID, FLAGGED):
        return None
    if amount != payment.provider_amount or currency.upper() != payment.currency.upper():
        flag_payment(
            payment,
            f"paid {amount} {currency.upper()}, quoted {payment.provider_amount} "
            f"{payment.currency}",
            moment,
        )
        return None
    payment.status = PAID
    payment.paid_at = moment
    dues_balance.follow(payment, moment)
    tier = payment.tier
    source = PeriodSource.PAYMENT
    if payment.kind == UPGRADE:
        source = PeriodSource.UPGRADE
        start = max(moment, periods.tier_paid_until(payment.user_id, tier, moment) or moment)
        end = payment.period_ends_at
        if end is None or end <= start:
            flag_payment(payment, "nothing left to upgrade; refund it", moment)
            return None
    else:
        start = periods.next_start(payment.user_id, tier, moment)
        end = start + periods.YEAR
        periods.end_grace_periods(payment.user_id, tier, moment, payment=payment)
    period = periods.add_period(
        payment.user_id, tier, start, end, source, moment, payment_id=payment.id
    )
    periods.record_change(payment.user_id, payment.kind, moment, payment=payment, period=period)
    if source == PeriodSource.UPGRADE:
        # The time it was priced against may have been refunded since the quote.
        periods.cut_unbacked_upgrades(payment.user_id, moment, payment=payment)
    return period


def flag_payment(payment: Payment, why: str, moment: datetime) -> None:
    log.warning("payment %s flagged for operators: %s", payment.id, why)
    payment.status = FLAGGED
    payment.note = why
    dues_balance.follow(payment, moment)
    periods.record_change(
        payment.user_id, "flagged", moment, reason=why, payment=payment, tier=payment.tier
    )


def fail_payment(payment: Payment, why: str) -> bool:
    """Mark an unfinished payment failed; a paid one stays paid. True when it changed."""
    if payment.status not in (PENDING, PROCESSING):
        return False
    payment.status = FAILED
    payment.note = why
    db.session.flush()
    dues_balance.follow(payment, utcnow())
    return True


def payments_of(user: User) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.user_id == user.id)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
        )
    )
