"""Provider events: stored before anything else, applied once, in any order, with the outcome.

Each handler is safe to run again: payments only move forward (pending → paid), refunds
are reconciled against the provider's refund ids or cumulative total, and subscription
state carries a watermark (the creation time of the newest event applied) so an older
event arriving late changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from community.billing import purchases, stripe_api
from community.billing.models import BillingProfile, Payment, PaymentEvent
from community.billing.providers import STRIPE
from community.billing.refunds import record_refund
from community.billing.subscriptions import (
    apply_subscription_state,
    profile_for,
    renewed_on,
    renewing_tier,
    start_grace,
)
from community.clock import utcnow
from community.database import lock_for_write
from community.extensions import db
from community.membership import periods
from community.numbers import parse_id

log = logging.getLogger(__name__)

PROCESSED, IGNORED, FLAGGED, FAILED, RECEIVED = (
    "processed",
    "ignored",
    "flagged",
    "failed",
    "received",
)
DONE = (PROCESSED, IGNORED, FLAGGED)


class NeedsOperator(Exception):
    """The event cannot be applied and retrying will not help: an operator must look."""


class NotYetKnown(Exception):
    """The event refers to something an earlier event (not yet delivered) introduces.

    It fails with a 500, so Stripe delivers it again later, by when it usually applies.
    """


def store_event(provider: str, event: dict, payload: str) -> PaymentEvent:
    """The stored row for `event`, inserted the first time it arrives.

    A signed event whose fields have the wrong shape is stored too, as failed with the reason
    (`malformed`), so operators see it; its id is then derived from the payload if need be.
    """
    problem = malformed(event)
    event_id = event["id"] if isinstance(event.get("id"), str) else payload_id(payload)
    existing = event_row(provider, event_id[:255])
    if existing is not None:
        return existing
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    object_id = obj.get("id") if isinstance(obj, dict) else None
    row = PaymentEvent(
        provider=provider,
        event_id=event_id[:255],
        type=str(event.get("type"))[:64],
        object_id=object_id[:255] if isinstance(object_id, str) else "",
        created=utcnow() if problem else datetime.fromtimestamp(event["created"], UTC),
        payload=payload,
        status=FAILED if problem else RECEIVED,
        error=f"malformed event: {problem}" if problem else "",
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return event_row(provider, event_id[:255])
    if problem:
        log.warning("stored a malformed %s event %s: %s", provider, row.event_id, problem)
    return row


# Seconds since 1970 that a stored datetime can hold.
LATEST_TIMESTAMP = 253402300799


def malformed(event: dict) -> str | None:
    """What is wrong with the shape of a (signed) event, or None when it can be handled."""
    if not isinstance(event.get("id"), str) or not event["id"].strip():
        return "id is not a string"
    if not isinstance(event.get("type"), str):
        return "type is not a string"
    created = event.get("created")
    if isinstance(created, bool) or not isinstance(created, int):
        return "created is not an integer"
    if not 0 <= created <= LATEST_TIMESTAMP:
        return "created is out of range"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return "data.object is not an object"
    object_id = data["object"].get("id")
    if object_id is not None and not isinstance(object_id, str):
        return "data.object.id is not a string"
    return None


def payload_id(payload: str) -> str:
    """A stable id for an event that has no usable one: the same body gets the same id."""
    return "malformed_" + hashlib.sha256(payload.encode()).hexdigest()[:40]


def event_row(provider: str, event_id: str) -> PaymentEvent | None:
    return db.session.scalar(
        select(PaymentEvent).where(
            PaymentEvent.provider == provider, PaymentEvent.event_id == event_id
        )
    )


def process_event(row_id: int, moment: datetime | None = None, *, again: bool = False) -> str:
    """Apply a stored event unless it was applied already (or `again`); return its status."""
    moment = moment or utcnow()
    # Two deliveries of one event at once: the second waits here, then finds it done.
    lock_for_write(db.session, select(PaymentEvent.id).where(PaymentEvent.id == row_id))
    row = db.session.get(PaymentEvent, row_id, populate_existing=True)
    if row.status in DONE and not again:
        return row.status
    row.attempts += 1
    row.error = ""
    event = json.loads(row.payload)
    problem = malformed(event)
    handler = HANDLERS.get(row.type)
    if problem:
        row.status, row.error = FAILED, f"malformed event: {problem}"
    elif handler is None:
        row.status = IGNORED
    else:
        event["created_at"] = row.created
        try:
            row.status = handler(event, moment) or PROCESSED
        except NeedsOperator as refusal:
            log.warning("event %s needs an operator: %s", row.event_id, refusal)
            row.status = FLAGGED
            row.error = str(refusal)
    row.processed_at = moment
    db.session.flush()
    return row.status


def record_failure(row_id: int, error: Exception) -> None:
    """Note why handling failed (after the failed transaction was rolled back)."""
    row = db.session.get(PaymentEvent, row_id)
    row.status = FAILED
    row.attempts += 1
    row.error = f"{type(error).__name__}: {error}"[:2000]
    db.session.flush()


def data_object(event: dict) -> dict:
    return event["data"]["object"]


def stripe_payment(**where) -> Payment | None:
    ((column, value),) = where.items()
    if not value:
        return None
    return db.session.scalar(
        select(Payment).where(Payment.provider == STRIPE, getattr(Payment, column) == value)
    )


def session_payment(session: dict) -> Payment:
    """The payment a Checkout Session was started for, checked against the session's user."""
    payment_id = parse_id(str((session.get("metadata") or {}).get("payment_id") or ""))
    payment = db.session.get(Payment, payment_id) if payment_id else None
    payment = payment or stripe_payment(provider_session_id=session.get("id"))
    if payment is None or payment.provider != STRIPE:
        raise NeedsOperator(f"no payment for checkout session {session.get('id')}")
    if str(payment.user_id) != str(session.get("client_reference_id")):
        raise NeedsOperator(
            f"checkout session {session.get('id')} names user "
            f"{session.get('client_reference_id')!r}, "
            f"payment {payment.id} is user {payment.user_id}"
        )
    return payment


def remember_session(payment: Payment, session: dict) -> None:
    payment.provider_session_id = payment.provider_session_id or session.get("id")
    payment.provider_payment_id = payment.provider_payment_id or session.get("payment_intent")
    payment.provider_invoice_id = payment.provider_invoice_id or session.get("invoice")
    subscription = session.get("subscription")
    payment.provider_subscription_id = payment.provider_subscription_id or subscription
    profile = profile_for(payment.user_id)
    customer = session.get("customer")
    if customer and not profile.stripe_customer_id and not customer_taken(customer):
        profile.stripe_customer_id = customer
    if session.get("mode") == "subscription" and subscription:
        profile.subscription_id = subscription
        profile.subscription_tier_id = payment.tier_id
        if profile.subscription_watermark is None:
            profile.subscription_status = "active"
            profile.auto_renew = True


def customer_taken(customer: str) -> bool:
    return (
        db.session.scalar(
            select(BillingProfile.user_id).where(BillingProfile.stripe_customer_id == customer)
        )
        is not None
    )


def fulfil_or_flag(payment: Payment, amount, currency, moment: datetime) -> None:
    purchases.fulfil_payment(payment, int(amount or 0), str(currency or ""), moment)
    if payment.status == purchases.FLAGGED:
        raise NeedsOperator(f"payment {payment.id}: {payment.note}")


def checkout_completed(event: dict, moment: datetime) -> str | None:
    session = data_object(event)
    payment = session_payment(session)
    periods.lock_member(payment.user_id)
    remember_session(payment, session)
    if session.get("payment_status") in ("paid", "no_payment_required"):
        fulfil_or_flag(payment, session.get("amount_total"), session.get("currency"), moment)
    elif payment.status == purchases.PENDING:
        # Alipay and WeChat Pay settle later: async_payment_succeeded or _failed follows.
        payment.status = purchases.PROCESSING
    return None


def checkout_async_failed(event: dict, moment: datetime) -> str | None:
    session = data_object(event)
    payment = session_payment(session)
    periods.lock_member(payment.user_id)
    remember_session(payment, session)
    purchases.fail_payment(payment, "asynchronous payment failed")
    return None


def invoice_subscription(invoice: dict) -> str | None:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return invoice.get("subscription") or details.get("subscription")


def invoice_profile(invoice: dict) -> BillingProfile | None:
    subscription = invoice_subscription(invoice)
    if not subscription:
        return None
    profile = db.session.scalar(
        select(BillingProfile).where(BillingProfile.subscription_id == subscription)
    )
    if profile is None or profile.subscription_tier is None:
        raise NotYetKnown(f"invoice {invoice.get('id')}: unknown subscription {subscription}")
    return profile


def renewal_payment(profile: BillingProfile, invoice: dict, status: str) -> Payment:
    payment = stripe_payment(provider_invoice_id=invoice.get("id"))
    if payment is None:
        tier = renewing_tier(profile)
        payment = Payment(
            user_id=profile.user_id,
            tier_id=tier.id,
            provider=STRIPE,
            mode=purchases.SUBSCRIPTION,
            kind=purchases.RENEWAL,
            amount=tier.annual_price,
            currency=tier.currency,
            status=status,
            provider_invoice_id=invoice.get("id"),
            provider_subscription_id=invoice_subscription(invoice),
            provider_payment_id=invoice.get("payment_intent"),
        )
        db.session.add(payment)
        db.session.flush()
    return payment


def invoice_paid(event: dict, moment: datetime) -> str | None:
    invoice = data_object(event)
    if invoice.get("billing_reason") == "subscription_create":
        return IGNORED  # the checkout session grants the first year
    profile = invoice_profile(invoice)
    if profile is None:
        return IGNORED
    payment = renewal_payment(profile, invoice, purchases.PENDING)
    if payment.status == purchases.FAILED:
        payment.status = purchases.PENDING
    fulfil_or_flag(payment, invoice.get("amount_paid"), invoice.get("currency"), moment)
    if payment.tier_id == renewing_tier(profile).id:
        renewed_on(profile, payment.tier)
    return None


def invoice_payment_failed(event: dict, moment: datetime) -> str | None:
    invoice = data_object(event)
    if invoice.get("billing_reason") == "subscription_create":
        return IGNORED  # checkout reports a failed first payment itself
    profile = invoice_profile(invoice)
    if profile is None:
        return IGNORED
    payment = renewal_payment(profile, invoice, purchases.FAILED)
    if payment.status == purchases.PAID:
        return None  # a retry already succeeded; this older failure changes nothing
    start_grace(profile.user_id, profile.subscription_tier, moment)
    return None


def subscription_changed(event: dict, moment: datetime) -> str | None:
    subscription = data_object(event)
    profile = db.session.scalar(
        select(BillingProfile).where(BillingProfile.subscription_id == subscription.get("id"))
    )
    if profile is None:
        payment_id = parse_id(str((subscription.get("metadata") or {}).get("payment_id") or ""))
        payment = db.session.get(Payment, payment_id) if payment_id else None
        if payment is None or payment.provider != STRIPE:
            raise NotYetKnown(f"unknown subscription {subscription.get('id')}")
        profile = profile_for(payment.user_id)
        profile.subscription_id = subscription.get("id")
        profile.subscription_tier_id = payment.tier_id
    deleted = event["type"] == "customer.subscription.deleted"
    status = "canceled" if deleted else str(subscription.get("status") or "")
    cancelling = bool(subscription.get("cancel_at_period_end"))
    applied = apply_subscription_state(profile, status, cancelling, event["created_at"], moment)
    return None if applied else IGNORED


def charge_payment(charge: dict) -> Payment | None:
    """The payment a charge belongs to: by its PaymentIntent, or by the invoice it paid."""
    intent = charge.get("payment_intent")
    payment = stripe_payment(provider_payment_id=intent)
    if payment is None:
        invoice_id = charge.get("invoice")
        if not invoice_id and intent and current_app.config.get("STRIPE_SECRET_KEY"):
            invoice_id = stripe_api.invoice_of_payment_intent(intent)
        payment = stripe_payment(provider_invoice_id=invoice_id)
        if payment is not None and intent:
            payment.provider_payment_id = intent
    return payment


def charge_refunded(event: dict, moment: datetime) -> str | None:
    charge = data_object(event)
    payment = charge_payment(charge)
    if payment is None:
        raise NotYetKnown(f"charge {charge.get('id')}: no payment for it")
    if str(charge.get("currency") or "").upper() != payment.currency.upper():
        raise NeedsOperator(
            f"charge {charge.get('id')}: currency differs from payment {payment.id}"
        )
    total = int(charge.get("amount_refunded") or 0)
    if payment.status in (purchases.PENDING, purchases.PROCESSING):
        raise NotYetKnown(f"charge {charge.get('id')}: payment {payment.id} not confirmed yet")
    if payment.status != purchases.PAID and total > payment.provider_refunded_amount:
        raise NeedsOperator(f"charge {charge.get('id')}: refund for unpaid payment {payment.id}")
    listed = (charge.get("refunds") or {}).get("data") or []
    listed = [refund for refund in listed if refund.get("status") != "failed"]
    if listed:
        known = {refund.provider_refund_id for refund in payment.refunds}
        new = [refund for refund in reversed(listed) if refund.get("id") not in known]
    else:
        new = [{"id": None, "amount": total - payment.provider_refunded_amount}]
    for refund in new:
        # Never past what Stripe says was refunded in all, nor past what Stripe took (a part
        # paid from the member's balance was never Stripe's to refund).
        amount = min(
            int(refund.get("amount") or 0),
            payment.provider_refundable_amount,
            total - payment.provider_refunded_amount,
        )
        if amount > 0:
            record_refund(
                payment,
                amount,
                moment,
                reason="Stripe charge.refunded",
                provider_refund_id=refund.get("id"),
            )
    return None


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "checkout.session.async_payment_failed": checkout_async_failed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "charge.refunded": charge_refunded,
}
