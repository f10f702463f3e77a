"""Stripe event payloads and state snapshots shared by the webhook tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from community.billing import purchases, webhooks
from community.billing.models import BillingProfile, Payment, PaymentEvent
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipChange, MembershipPeriod
from community.membership.tiers import tier_by_slug
from tests.billing.conftest import deliver, make_event

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
T0 = int(NOW.timestamp())


def stripe_purchase(user, tier="member", mode="pass") -> Payment:
    offer = purchases.quote(user, tier_by_slug(tier), utcnow())
    payment = purchases.start_purchase(
        user, tier, offer.kind, offer.amount, mode, "stripe", utcnow()
    )
    payment.provider_session_id = f"cs_test_{payment.id}"
    db.session.commit()
    return payment


def session_of(payment: Payment, *, paid=True, amount=None, currency="cny", user_id=None):
    subscription = payment.mode == "subscription"
    return {
        "id": payment.provider_session_id,
        "object": "checkout.session",
        "mode": "subscription" if subscription else "payment",
        "client_reference_id": str(user_id or payment.user_id),
        "metadata": {
            "tier": payment.tier.slug,
            "kind": payment.kind,
            "payment_id": str(payment.id),
        },
        "amount_total": payment.amount if amount is None else amount,
        "currency": currency,
        "payment_status": "paid" if paid else "unpaid",
        "payment_intent": None if subscription else f"pi_test_{payment.id}",
        "customer": f"cus_test_{payment.user_id}",
        "subscription": f"sub_test_{payment.user_id}" if subscription else None,
        "invoice": f"in_test_first_{payment.user_id}" if subscription else None,
    }


def invoice(user, invoice_id: str, reason="subscription_cycle", amount=19900, currency="cny"):
    return {
        "id": f"{invoice_id}_{user.id}",
        "object": "invoice",
        "billing_reason": reason,
        "amount_paid": amount,
        "amount_due": amount,
        "currency": currency,
        "payment_intent": f"pi_{invoice_id}",
        "parent": {"subscription_details": {"subscription": f"sub_test_{user.id}"}},
    }


def subscription(user, status="active", cancel=False, payment_id=None):
    return {
        "id": f"sub_test_{user.id}",
        "object": "subscription",
        "status": status,
        "cancel_at_period_end": cancel,
        "metadata": {"payment_id": str(payment_id)} if payment_id else {},
    }


def charge(payment: Payment, refunds: list[tuple[str, int]], currency="cny"):
    return {
        "id": f"ch_test_{payment.id}",
        "object": "charge",
        "payment_intent": payment.provider_payment_id or f"pi_test_{payment.id}",
        "amount": payment.amount,
        "amount_refunded": sum(amount for _id, amount in refunds),
        "currency": currency,
        "refunds": {
            "object": "list",
            "data": [
                {"id": rid, "amount": amount, "status": "succeeded"}
                for rid, amount in reversed(refunds)
            ],
        },
    }


def state(user) -> dict:
    """Everything a delivery may change for `user`, as plain values."""
    db.session.expire_all()
    periods = db.session.scalars(
        select(MembershipPeriod)
        .where(MembershipPeriod.user_id == user.id, MembershipPeriod.revoked_at.is_(None))
        .order_by(MembershipPeriod.starts_at, MembershipPeriod.tier_id)
    )
    payments = db.session.scalars(
        select(Payment).where(Payment.user_id == user.id).order_by(Payment.id)
    )
    profile = db.session.get(BillingProfile, user.id)
    return {
        "periods": [(p.tier.slug, p.starts_at, p.ends_at, p.source) for p in periods],
        "payments": [(p.kind, p.status, p.amount, p.refunded_amount) for p in payments],
        "auto_renew": profile.auto_renew if profile else False,
        "subscription_status": profile.subscription_status if profile else "",
        "changes": db.session.scalar(
            select(func.count(MembershipChange.id)).where(MembershipChange.user_id == user.id)
        ),
    }


def event_status(event) -> str:
    db.session.expire_all()
    return db.session.scalar(
        select(PaymentEvent.status).where(PaymentEvent.event_id == event["id"])
    )


def lifecycle_events(client, buyer) -> dict[str, list[dict]]:
    """One scenario per handled event type; each returns the events to deliver."""
    pass_payment = stripe_purchase(buyer)
    return {
        "checkout.session.completed": [
            make_event("checkout.session.completed", session_of(pass_payment), T0)
        ],
        "checkout.session.async_payment_succeeded": [
            make_event("checkout.session.async_payment_succeeded", session_of(pass_payment), T0)
        ],
        "checkout.session.async_payment_failed": [
            make_event(
                "checkout.session.async_payment_failed", session_of(pass_payment, paid=False), T0
            )
        ],
    }


def subscribed(client, buyer) -> Payment:
    """`buyer` with a card subscription bought today, its checkout already delivered."""
    payment = stripe_purchase(buyer, mode="subscription")
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0 - 10))
    return payment


def scenario(kind: str, client, buyer) -> list[dict]:
    if kind.startswith("checkout."):
        return lifecycle_events(client, buyer)[kind]
    if kind.startswith("invoice."):
        subscribed(client, buyer)
        return [make_event(kind, invoice(buyer, "in_test_2"), T0)]
    if kind.startswith("customer.subscription."):
        subscribed(client, buyer)
        return [make_event(kind, subscription(buyer, "active", cancel=True), T0)]
    payment = stripe_purchase(buyer)
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0 - 10))
    return [make_event("charge.refunded", charge(payment, [("re_test_1", 5000)]), T0)]


HANDLED = sorted(webhooks.HANDLERS)
