"""Every call to Stripe: Checkout, refunds, the Customer Portal, catalog sync, signatures."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import stripe
from flask import current_app, url_for

from community.billing.models import BillingProfile, Payment
from community.billing.providers import STRIPE, CheckoutStart, ProviderError
from community.membership.models import Tier
from community.membership.tiers import tiers_for_sale

log = logging.getLogger(__name__)

SIGNATURE_TOLERANCE_SECONDS = 300
PASS_METHODS = ["card", "alipay", "wechat_pay"]


class BadSignature(Exception):
    """The webhook body was not signed by Stripe with our secret, or is too old."""


def client() -> stripe.StripeClient:
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=0,
    )


def product_id(tier: Tier) -> str:
    return f"community-{tier.slug}"


def price_lookup_key(tier: Tier) -> str:
    return f"community-{tier.slug}-yearly"


def verified_event(payload: bytes, signature: str | None) -> dict:
    """The event in a webhook body, once its signature (5-minute tolerance) checks out."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, ValueError, IndexError) as error:
        raise BadSignature(str(error)) from error
    if not isinstance(event, dict):
        raise BadSignature("not an event")
    return event


class StripeProvider:
    name = STRIPE
    supports_subscriptions = True

    def start_checkout(
        self, payment: Payment, profile: BillingProfile, back: str = ""
    ) -> CheckoutStart:
        tier = payment.tier
        # Stripe fills in {CHECKOUT_SESSION_ID} itself, so it must not be URL-quoted.
        came_from = f"&next={quote(back, safe='/')}" if back else ""
        metadata = {"tier": tier.slug, "kind": payment.kind, "payment_id": str(payment.id)}
        params: dict = {
            "client_reference_id": str(payment.user_id),
            "metadata": metadata,
            "success_url": url_for("billing.success", _external=True)
            + "?session_id={CHECKOUT_SESSION_ID}"
            + came_from,
            "cancel_url": url_for("billing.pricing", next=back or None, _external=True),
            "locale": "zh",
        }
        if profile.stripe_customer_id:
            params["customer"] = profile.stripe_customer_id
        else:
            params["customer_email"] = payment.user.email
        if payment.mode == "subscription":
            params.update(
                mode="subscription",
                payment_method_types=["card"],
                line_items=[{"price": self.yearly_price_id(tier), "quantity": 1}],
                subscription_data={"metadata": metadata},
            )
        else:
            params.update(
                mode="payment",
                payment_method_types=PASS_METHODS,
                payment_method_options={"wechat_pay": {"client": "web"}},
                line_items=[
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": payment.currency.lower(),
                            "unit_amount": payment.provider_amount,
                            "product": product_id(tier),
                        },
                    }
                ],
                payment_intent_data={"metadata": metadata},
            )
        try:
            try:
                session = client().v1.checkout.sessions.create(params=params)
            except stripe.InvalidRequestError as error:
                if not names_missing_product(error):
                    raise
                # A site selling only passes may never have run `flask billing sync-stripe`.
                log.warning("Stripe has no product %s yet; creating the catalog", product_id(tier))
                sync_catalog(tiers_for_sale())
                session = client().v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            raise ProviderError(f"checkout for payment {payment.id}: {error}") from error
        return CheckoutStart(session.id, session.url)

    def yearly_price_id(self, tier: Tier) -> str:
        """The tier's active yearly Price, created (with its Product) on first use."""
        try:
            price = active_yearly_price(tier)
            if price is None:
                log.warning(
                    "Stripe has no yearly price for %s yet; creating the catalog", tier.slug
                )
                sync_catalog(tiers_for_sale())
                price = active_yearly_price(tier)
        except stripe.StripeError as error:
            raise ProviderError(f"yearly price for {tier.slug}: {error}") from error
        if price is None:
            raise ProviderError(f"no yearly price for {tier.slug} after creating it")
        return price.id

    def refund(self, payment: Payment, amount: int) -> str:
        try:
            if not payment.provider_payment_id and payment.provider_invoice_id:
                # Subscription payments are known by their invoice; refunds need the intent.
                payment.provider_payment_id = payment_intent_of_invoice(payment.provider_invoice_id)
            if not payment.provider_payment_id:
                raise ProviderError(f"payment {payment.id} has no payment intent to refund")
            refund = client().v1.refunds.create(
                params={
                    "payment_intent": payment.provider_payment_id,
                    "amount": amount,
                    "metadata": {"payment_id": str(payment.id)},
                }
            )
        except stripe.StripeError as error:
            raise ProviderError(f"refund of payment {payment.id}: {error}") from error
        return refund.id

    def portal_url(self, profile: BillingProfile, return_url: str) -> str | None:
        if not profile.stripe_customer_id:
            return None
        try:
            session = client().v1.billing_portal.sessions.create(
                params={"customer": profile.stripe_customer_id, "return_url": return_url}
            )
        except stripe.StripeError as error:
            raise ProviderError(f"portal for user {profile.user_id}: {error}") from error
        return session.url

    def renew_subscription_on(self, profile: BillingProfile, tier: Tier) -> None:
        """Bill the next renewal at `tier`'s yearly price, without prorating the current year."""
        api = client().v1
        try:
            subscription = api.subscriptions.retrieve(profile.subscription_id)
            item = subscription["items"]["data"][0]
            api.subscriptions.update(
                profile.subscription_id,
                params={
                    "items": [{"id": item["id"], "price": self.yearly_price_id(tier)}],
                    "proration_behavior": "none",
                    "metadata": {"tier": tier.slug},
                },
            )
        except stripe.StripeError as error:
            raise ProviderError(f"tier change of {profile.subscription_id}: {error}") from error


def names_missing_product(error: stripe.InvalidRequestError) -> bool:
    return error.code == "resource_missing" and "product" in (error.param or "")


def active_yearly_price(tier: Tier):
    prices = client().v1.prices.list(
        params={"lookup_keys": [price_lookup_key(tier)], "active": True}
    )
    return prices.data[0] if prices.data else None


def payment_intent_of_invoice(invoice_id: str) -> str | None:
    """The PaymentIntent that paid an invoice (invoices no longer carry it themselves)."""
    listing = client().v1.invoice_payments.list(params={"invoice": invoice_id})
    for item in listing.data:
        if item.status == "paid" and item.payment.type == "payment_intent":
            return item.payment.payment_intent
    return None


def invoice_of_payment_intent(intent_id: str) -> str | None:
    """The invoice a PaymentIntent paid, if it paid one."""
    listing = client().v1.invoice_payments.list(
        params={"payment": {"type": "payment_intent", "payment_intent": intent_id}}
    )
    return listing.data[0].invoice if listing.data else None


def sync_catalog(tiers: list[Tier]) -> list[str]:
    """Create or update one Product and one yearly Price per paid tier; return what changed."""
    api = client().v1
    changes = []
    for tier in tiers:
        if not tier.is_paid:
            continue
        fields = {"name": tier.name, "description": tier.description or tier.name}
        try:
            api.products.retrieve(product_id(tier))
        except stripe.InvalidRequestError:
            api.products.create(
                params={"id": product_id(tier), "metadata": {"tier": tier.slug}, **fields}
            )
            changes.append(f"created product {product_id(tier)}")
        else:
            api.products.update(product_id(tier), params=fields)
            changes.append(f"updated product {product_id(tier)}")
        key = price_lookup_key(tier)
        current = active_yearly_price(tier)
        if (
            current is not None
            and current.unit_amount == tier.annual_price
            and current.currency.upper() == tier.currency.upper()
        ):
            continue
        api.prices.create(
            params={
                "product": product_id(tier),
                "currency": tier.currency.lower(),
                "unit_amount": tier.annual_price,
                "recurring": {"interval": "year"},
                "lookup_key": key,
                "transfer_lookup_key": True,
            }
        )
        if current is not None:
            api.prices.update(current.id, params={"active": False})
        changes.append(f"new price {key} = {tier.annual_price} {tier.currency}")
    return changes


def reach() -> None:
    """Ask Stripe for one price: raises a `stripe.StripeError` when the API cannot be reached
    or refuses the key (`flask doctor` says which)."""
    client().v1.prices.list(params={"limit": 1})
