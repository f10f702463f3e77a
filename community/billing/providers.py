"""Payment providers behind one interface: Stripe when configured, else the offline demo.

The offline demo provider marks payments paid without any money. It exists only where
`OFFLINE_PAYMENTS` is on (development, tests, and a staging site with PAYMENTS_OFFLINE=1):
a production site without Stripe keys has checkout closed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from flask import current_app, url_for

from community.billing.models import BillingProfile, Payment
from community.membership.models import Tier

OFFLINE, STRIPE = "offline", "stripe"
# Not a provider: a payment made wholly from the member's balance, which no provider refunds.
BALANCE = "balance"


class ProviderError(Exception):
    """The provider refused or could not be reached; the message is for the log."""


class PaymentsClosed(Exception):
    """No provider takes payments on this site (production without Stripe keys)."""


@dataclass(frozen=True)
class CheckoutStart:
    session_id: str
    url: str


class PaymentProvider(Protocol):
    name: str
    supports_subscriptions: bool

    def start_checkout(
        self, payment: Payment, profile: BillingProfile, back: str = ""
    ) -> CheckoutStart:
        """Open a checkout; once paid the member returns to `back` (a local path, or "")."""
        ...

    def refund(self, payment: Payment, amount: int) -> str: ...

    def portal_url(self, profile: BillingProfile, return_url: str) -> str | None: ...

    def renew_subscription_on(self, profile: BillingProfile, tier: Tier) -> None: ...


class OfflineProvider:
    """A local test checkout page that completes or fails the payment; no money moves."""

    name = OFFLINE
    supports_subscriptions = False

    def start_checkout(
        self, payment: Payment, profile: BillingProfile, back: str = ""
    ) -> CheckoutStart:
        session_id = f"offline_cs_{secrets.token_hex(8)}"
        url = url_for("billing.offline_checkout", payment_id=payment.id, next=back or None)
        return CheckoutStart(session_id, url)

    def refund(self, payment: Payment, amount: int) -> str:
        return f"offline_re_{secrets.token_hex(8)}"

    def portal_url(self, profile: BillingProfile, return_url: str) -> str | None:
        return None

    def renew_subscription_on(self, profile: BillingProfile, tier: Tier) -> None:
        raise ProviderError("the offline provider sells no subscriptions")


def offline_payments_allowed() -> bool:
    return bool(current_app.config.get("OFFLINE_PAYMENTS"))


def payments_open() -> bool:
    """Whether this site can take a payment now."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY")) or offline_payments_allowed()


def current_provider() -> PaymentProvider:
    """The provider new checkouts go to; PaymentsClosed when there is none."""
    if current_app.config.get("STRIPE_SECRET_KEY"):
        from community.billing.stripe_api import StripeProvider

        return StripeProvider()
    if not offline_payments_allowed():
        raise PaymentsClosed("no STRIPE_SECRET_KEY, and offline payments are off")
    return OfflineProvider()


def provider_named(name: str) -> PaymentProvider:
    if name == STRIPE:
        from community.billing.stripe_api import StripeProvider

        return StripeProvider()
    return OfflineProvider()
