"""The Stripe webhook: signatures, storage, idempotency, order, flags and failures.

Time is frozen so that "now" is the same for every delivery: duplicates and reorderings
must end in exactly the same rows, not merely similar ones.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from community.billing import purchases, webhooks
from community.billing.models import (
    BillingProfile,
    MembershipChange,
    MembershipPeriod,
    Payment,
    PaymentEvent,
    Refund,
)
from community.billing.periods import YEAR
from community.billing.tiers import tier_by_slug
from community.clock import utcnow
from community.extensions import db
from tests.billing.conftest import deliver, make_event
from tests.helpers import csrf_from

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
T0 = int(NOW.timestamp())


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def buyer(make_user, stripe_site):
    return make_user(email="buyer@example.com", name="买家")


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


def test_paid_checkout_grants_a_year(client, buyer):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)
    response = deliver(client, event)
    assert response.status_code == 200 and response.json["status"] == "processed"
    assert state(buyer)["periods"] == [("member", NOW, NOW + YEAR, "payment")]
    assert state(buyer)["payments"] == [("new", "paid", 19900, 0)]
    row = db.session.scalar(select(PaymentEvent))
    assert (row.type, row.object_id, row.created) == (
        "checkout.session.completed",
        payment.provider_session_id,
        NOW,
    )
    assert json.loads(row.payload)["id"] == event["id"]


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


@pytest.mark.parametrize("kind", HANDLED)
@pytest.mark.parametrize("times", [2, 5])
def test_each_event_type_delivered_again_changes_nothing(client, buyer, kind, times):
    (event,) = scenario(kind, client, buyer)
    assert deliver(client, event).status_code == 200
    once = state(buyer)
    for _ in range(times - 1):
        assert deliver(client, event).status_code == 200
    assert state(buyer) == once
    assert event_status(event) in ("processed", "ignored")
    assert (
        db.session.scalar(
            select(func.count(PaymentEvent.id)).where(PaymentEvent.event_id == event["id"])
        )
        == 1
    )


@pytest.mark.parametrize("kind", HANDLED)
def test_each_event_type_replayed_from_the_cli_changes_nothing(client, runner, buyer, kind):
    (event,) = scenario(kind, client, buyer)
    deliver(client, event)
    once = state(buyer)
    result = runner.invoke(args=["billing", "replay", event["id"]])
    assert result.exit_code == 0, result.output
    assert state(buyer) == once


def test_each_event_type_does_what_it_says(client, buyer):
    payment = subscribed(client, buyer)
    after_checkout = state(buyer)
    assert after_checkout["periods"] == [("member", NOW, NOW + YEAR, "payment")]
    assert after_checkout["auto_renew"] is True
    assert db.session.get(Payment, payment.id).provider_subscription_id == "sub_test_1"

    deliver(client, make_event("invoice.paid", invoice(buyer, "in_test_2"), T0))
    assert state(buyer)["periods"][-1] == ("member", NOW + YEAR, NOW + 2 * YEAR, "payment")
    assert state(buyer)["payments"][-1] == ("renewal", "paid", 19900, 0)

    deliver(
        client, make_event("customer.subscription.updated", subscription(buyer, cancel=True), T0)
    )
    assert state(buyer)["auto_renew"] is False
    deliver(
        client, make_event("customer.subscription.deleted", subscription(buyer, "canceled"), T0 + 1)
    )
    assert state(buyer)["subscription_status"] == "canceled"


def test_async_payment_confirms_later_in_either_order(client, buyer, make_user):
    payment = stripe_purchase(buyer)
    pending = make_event("checkout.session.completed", session_of(payment, paid=False), T0)
    settled = make_event("checkout.session.async_payment_succeeded", session_of(payment), T0 + 60)
    deliver(client, pending)
    assert state(buyer)["payments"] == [("new", "processing", 19900, 0)]
    assert state(buyer)["periods"] == []
    deliver(client, settled)
    in_order = state(buyer)

    other = make_user(email="other@example.com")
    other_payment = stripe_purchase(other)
    deliver(
        client,
        make_event("checkout.session.async_payment_succeeded", session_of(other_payment), T0 + 60),
    )
    deliver(
        client, make_event("checkout.session.completed", session_of(other_payment, paid=False), T0)
    )
    assert state(other) == in_order


def test_async_failure_after_success_changes_nothing(client, buyer):
    payment = stripe_purchase(buyer)
    deliver(
        client, make_event("checkout.session.async_payment_succeeded", session_of(payment), T0 + 5)
    )
    paid = state(buyer)
    deliver(client, make_event("checkout.session.async_payment_failed", session_of(payment), T0))
    assert state(buyer) == paid


def test_refunds_in_reverse_order_end_the_same(client, buyer, make_user):
    def refunded_in(order, user):
        payment = stripe_purchase(user)
        deliver(client, make_event("checkout.session.completed", session_of(payment), T0 - 10))
        first = make_event("charge.refunded", charge(payment, [(f"re_a_{payment.id}", 5000)]), T0)
        second = make_event(
            "charge.refunded",
            charge(payment, [(f"re_a_{payment.id}", 5000), (f"re_b_{payment.id}", 2000)]),
            T0 + 1,
        )
        for event in (first, second) if order == "forward" else (second, first):
            assert deliver(client, event).status_code == 200
        return state(user)

    forward = refunded_in("forward", buyer)
    backward = refunded_in("reverse", make_user(email="other@example.com"))
    assert forward["payments"] == backward["payments"] == [("new", "paid", 19900, 7000)]
    assert forward["periods"] == backward["periods"]
    kept = YEAR * (19900 - 7000) // 19900
    assert forward["periods"] == [("member", NOW, NOW + kept, "payment")]


def test_subscription_updates_in_reverse_order_keep_the_newest(client, buyer):
    subscribed(client, buyer)
    newer = make_event("customer.subscription.deleted", subscription(buyer, "canceled"), T0 + 100)
    older = make_event("customer.subscription.updated", subscription(buyer, "active"), T0 + 50)
    deliver(client, newer)
    deliver(client, older)
    assert (state(buyer)["auto_renew"], state(buyer)["subscription_status"]) == (
        False,
        "canceled",
    )
    assert event_status(older) == "ignored"


def test_subscription_update_before_the_checkout_event(client, buyer):
    payment = stripe_purchase(buyer, mode="subscription")
    deliver(
        client,
        make_event(
            "customer.subscription.updated",
            subscription(buyer, cancel=True, payment_id=payment.id),
            T0 + 5,
        ),
    )
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    result = state(buyer)
    assert result["auto_renew"] is False
    assert result["periods"] == [("member", NOW, NOW + YEAR, "payment")]


def test_failed_renewal_gives_grace_and_a_late_success_replaces_it(client, buyer, make_user):
    def renewal(order, user):
        subscribed(client, user)
        with time_machine.travel(NOW + YEAR - timedelta(hours=1), tick=False):
            failed = make_event("invoice.payment_failed", invoice(user, "in_r"), T0 + 1)
            paid = make_event("invoice.paid", invoice(user, "in_r"), T0 + 2)
            for event in (failed, paid) if order == "forward" else (paid, failed):
                assert deliver(client, event).status_code == 200
        return state(user)

    forward = renewal("forward", buyer)
    backward = renewal("reverse", make_user(email="other@example.com"))
    expected = [
        ("member", NOW, NOW + YEAR, "payment"),
        ("member", NOW + YEAR, NOW + 2 * YEAR, "payment"),
    ]
    assert forward["periods"] == backward["periods"] == expected


def test_failed_renewal_alone_keeps_access_for_the_grace_days(client, buyer):
    subscribed(client, buyer)
    with time_machine.travel(NOW + YEAR - timedelta(hours=1), tick=False):
        deliver(client, make_event("invoice.payment_failed", invoice(buyer, "in_r"), T0))
    assert state(buyer)["periods"][-1] == (
        "member",
        NOW + YEAR,
        NOW + YEAR + timedelta(days=7),
        "grace",
    )
    assert state(buyer)["payments"][-1] == ("renewal", "failed", 19900, 0)


def test_stale_signature_timestamp_is_refused(client, buyer):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)
    response = deliver(client, event, timestamp=T0 - 301)
    assert response.status_code == 400
    assert deliver(client, event, timestamp=T0 - 299).status_code == 200


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=deadbeef", "garbage", None],
)
def test_bad_signature_is_refused_and_nothing_is_stored(client, buyer, signature):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)
    if signature is None:
        response = deliver(client, event, secret="whsec_someone_else")
    else:
        response = client.post(
            "/billing/stripe/webhook",
            data=json.dumps(event),
            headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 0
    assert state(buyer)["periods"] == []


def test_reserialised_body_fails_the_signature_but_a_resigned_copy_is_a_duplicate(client, buyer):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)
    original = json.dumps(event)
    import stripe

    header = stripe.WebhookSignature.generate_signature_header(original, "whsec_test_secret")
    reserialised = json.dumps(event, indent=2, sort_keys=True)
    response = deliver(client, body=reserialised, signature=header)
    assert response.status_code == 400
    assert state(buyer)["periods"] == []

    assert deliver(client, body=original, signature=header).status_code == 200
    once = state(buyer)
    assert deliver(client, body=reserialised).status_code == 200
    assert state(buyer) == once


def test_unknown_event_type_is_stored_and_answered_without_acting(client, buyer):
    event = make_event("customer.created", {"id": "cus_test_x", "object": "customer"}, T0)
    response = deliver(client, event)
    assert response.status_code == 200 and response.json["status"] == "ignored"
    assert event_status(event) == "ignored"
    assert state(buyer)["changes"] == 0


def test_event_for_an_unknown_user_grants_nothing_and_is_flagged(client, buyer, operator, login):
    payment = stripe_purchase(buyer)
    stranger = session_of(payment, user_id=999_999)
    event = make_event("checkout.session.completed", stranger, T0)
    assert deliver(client, event).status_code == 200
    assert event_status(event) == "flagged"
    assert state(buyer)["periods"] == []

    unknown = {**session_of(payment), "id": "cs_nobody", "metadata": {}}
    event = make_event("checkout.session.completed", unknown, T0)
    assert deliver(client, event).status_code == 200
    assert event_status(event) == "flagged"

    login(client, operator)
    page = client.get("/operator/members").get_data(as_text=True)
    assert event["id"] in page and "no payment for checkout session cs_nobody" in page


@pytest.mark.parametrize(("amount", "currency"), [(100, "cny"), (19900, "usd")])
def test_mismatched_amount_grants_nothing_and_is_flagged(client, buyer, amount, currency):
    payment = stripe_purchase(buyer)
    event = make_event(
        "checkout.session.completed", session_of(payment, amount=amount, currency=currency), T0
    )
    assert deliver(client, event).status_code == 200
    assert event_status(event) == "flagged"
    assert state(buyer)["periods"] == []
    assert state(buyer)["payments"] == [("new", "flagged", 19900, 0)]
    assert deliver(client, event).status_code == 200
    assert state(buyer)["payments"] == [("new", "flagged", 19900, 0)]


def test_renewal_invoice_for_the_wrong_amount_is_flagged(client, buyer):
    subscribed(client, buyer)
    event = make_event("invoice.paid", invoice(buyer, "in_test_2", amount=9900), T0)
    deliver(client, event)
    assert event_status(event) == "flagged"
    assert len(state(buyer)["periods"]) == 1


def test_handler_failure_answers_500_records_why_and_a_retry_succeeds(client, buyer, monkeypatch):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)

    def broken(event, moment):
        purchases.fulfil_payment(db.session.get(Payment, payment.id), 19900, "cny", moment)
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(webhooks.HANDLERS, "checkout.session.completed", broken)
    response = deliver(client, event)
    assert response.status_code == 500
    db.session.expire_all()
    row = db.session.scalar(select(PaymentEvent))
    assert row.status == "failed" and "database hiccup" in row.error and row.attempts == 1
    assert state(buyer)["periods"] == []  # the half-done grant was rolled back

    monkeypatch.undo()
    assert deliver(client, event).status_code == 200
    assert event_status(event) == "processed"
    assert state(buyer)["periods"] == [("member", NOW, NOW + YEAR, "payment")]


def test_replay_of_an_unknown_event_id_fails_clearly(runner, app):
    result = runner.invoke(args=["billing", "replay", "evt_missing"])
    assert result.exit_code != 0 and "evt_missing" in result.output


def test_webhook_needs_no_csrf_token_but_other_posts_do(client, buyer, login):
    login(client, buyer)
    assert client.post("/billing/portal").status_code == 400
    event = make_event("customer.created", {"id": "cus_x"}, T0)
    assert deliver(client, event).status_code == 200


def test_a_refund_before_its_checkout_waits_for_a_retry_and_ends_the_same(client, buyer, make_user):
    def delivered(order, user):
        payment = stripe_purchase(user)
        completed = make_event("checkout.session.completed", session_of(payment), T0)
        refunded = make_event(
            "charge.refunded", charge(payment, [(f"re_{payment.id}", 9950)]), T0 + 5
        )
        if order == "forward":
            assert deliver(client, completed).status_code == 200
            assert deliver(client, refunded).status_code == 200
        else:
            response = deliver(client, refunded)
            assert response.status_code == 500  # Stripe retries it later
            assert event_status(refunded) == "failed"
            assert deliver(client, completed).status_code == 200
            assert deliver(client, refunded).status_code == 200  # the retry
        assert event_status(refunded) == "processed"
        return state(user)

    forward = delivered("forward", buyer)
    backward = delivered("reverse", make_user(email="other@example.com"))
    assert forward["periods"] == backward["periods"]
    assert forward["payments"] == backward["payments"] == [("new", "paid", 19900, 9950)]


def test_invoice_for_a_subscription_not_yet_known_is_retried(client, buyer):
    payment = stripe_purchase(buyer, mode="subscription")
    renewal = make_event("invoice.paid", invoice(buyer, "in_early"), T0 + 5)
    assert deliver(client, renewal).status_code == 500
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    assert deliver(client, renewal).status_code == 200
    assert len(state(buyer)["periods"]) == 2


def test_stripe_refund_by_an_operator_is_not_counted_twice_by_its_webhook(
    client, login, buyer, operator, stripe_site
):
    payment = stripe_purchase(buyer)
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    login(client, operator)
    url = f"/operator/members/{buyer.id}"
    token = csrf_from(client.get(url))
    response = client.post(
        url + f"/payments/{payment.id}/refund",
        data={"csrf_token": token, "amount": "50", "reason": "部分退款"},
    )
    assert response.status_code == 302
    (call,) = stripe_site.calls_to("POST", "/v1/refunds")
    assert call.params["payment_intent"] == f"pi_test_{payment.id}"
    assert call.params["amount"] == "5000"
    assert call.params["metadata[payment_id]"] == str(payment.id)
    refund_id = db.session.scalar(select(Refund.provider_refund_id))
    assert refund_id.startswith("re_test_")

    after_refund = state(buyer)
    assert after_refund["payments"] == [("new", "paid", 19900, 5000)]
    deliver(client, make_event("charge.refunded", charge(payment, [(refund_id, 5000)]), T0 + 9))
    assert state(buyer) == after_refund


def test_stripe_refund_failure_changes_nothing(client, login, buyer, operator, stripe_site):
    payment = stripe_purchase(buyer)
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    before = state(buyer)
    login(client, operator)
    url = f"/operator/members/{buyer.id}"
    token = csrf_from(client.get(url))
    stripe_site.fail_next = 402
    response = client.post(
        url + f"/payments/{payment.id}/refund",
        data={"csrf_token": token, "amount": "199", "reason": "退款"},
    )
    assert response.status_code == 503
    assert state(buyer) == before


def test_subscriber_downgrades_at_the_next_renewal(client, login, runner, buyer, stripe_site):
    assert runner.invoke(args=["billing", "sync-stripe"]).exit_code == 0
    payment = stripe_purchase(buyer, tier="pro", mode="subscription")
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    login(client, buyer)
    page = client.get("/billing")
    assert 'id="downgrade-tier"' in page.get_data(as_text=True)
    response = client.post(
        "/billing/downgrade", data={"csrf_token": csrf_from(page), "tier": "member"}
    )
    assert response.status_code == 302

    (call,) = stripe_site.calls_to("POST", f"/v1/subscriptions/sub_test_{buyer.id}")
    member_price = next(
        p for p in stripe_site.prices.values() if p["lookup_key"] == "community-member-yearly"
    )
    assert call.params["items[0][id]"] == f"si_sub_test_{buyer.id}"
    assert call.params["items[0][price]"] == member_price["id"]
    assert call.params["proration_behavior"] == "none"
    assert 'data-testid="next-tier"' in client.get("/billing").get_data(as_text=True)
    assert state(buyer)["periods"] == [("pro", NOW, NOW + YEAR, "payment")]

    deliver(client, make_event("invoice.paid", invoice(buyer, "in_next", amount=19900), T0 + 9))
    assert state(buyer)["periods"] == [
        ("pro", NOW, NOW + YEAR, "payment"),
        ("member", NOW + YEAR, NOW + 2 * YEAR, "payment"),
    ]
    profile = db.session.get(BillingProfile, buyer.id)
    assert (profile.subscription_tier.slug, profile.next_tier_id) == ("member", None)


def test_downgrade_needs_an_auto_renewing_subscription_and_a_lower_tier(
    client, login, buyer, stripe_site
):
    login(client, buyer)
    token = csrf_from(client.get("/billing"))
    response = client.post("/billing/downgrade", data={"csrf_token": token, "tier": "member"})
    assert response.status_code == 400
    assert stripe_site.calls == []
    payment = stripe_purchase(buyer, tier="member", mode="subscription")
    deliver(client, make_event("checkout.session.completed", session_of(payment), T0))
    response = client.post("/billing/downgrade", data={"csrf_token": token, "tier": "pro"})
    assert response.status_code == 400
    assert db.session.get(BillingProfile, buyer.id).next_tier_id is None


def test_operator_refund_of_a_subscription_payment_finds_its_payment_intent(
    client, login, buyer, operator, stripe_site
):
    payment = subscribed(client, buyer)
    stripe_site.invoice_intents[f"in_test_first_{buyer.id}"] = "pi_test_sub_first"
    login(client, operator)
    url = f"/operator/members/{buyer.id}"
    response = client.post(
        url + f"/payments/{payment.id}/refund",
        data={"csrf_token": csrf_from(client.get(url)), "amount": "199", "reason": "退订"},
    )
    assert response.status_code == 302
    (lookup,) = stripe_site.calls_to("GET", "/v1/invoice_payments")
    assert lookup.params["invoice"] == f"in_test_first_{buyer.id}"
    (refund,) = stripe_site.calls_to("POST", "/v1/refunds")
    assert refund.params["payment_intent"] == "pi_test_sub_first"
    assert state(buyer)["periods"] == []


def test_dashboard_refund_of_a_subscription_payment_is_matched_through_its_invoice(
    client, buyer, stripe_site
):
    payment = subscribed(client, buyer)
    stripe_site.invoice_intents[f"in_test_first_{buyer.id}"] = "pi_test_sub_first"
    refunded = {
        "id": "ch_test_sub",
        "object": "charge",
        "payment_intent": "pi_test_sub_first",
        "amount": 19900,
        "amount_refunded": 19900,
        "currency": "cny",
        "refunds": {"object": "list", "data": [{"id": "re_dash", "amount": 19900}]},
    }
    assert deliver(client, make_event("charge.refunded", refunded, T0 + 5)).status_code == 200
    (lookup,) = stripe_site.calls_to("GET", "/v1/invoice_payments")
    assert lookup.params["payment[payment_intent]"] == "pi_test_sub_first"
    assert state(buyer)["payments"] == [("new", "paid", 19900, 19900)]
    assert db.session.get(Payment, payment.id).provider_payment_id == "pi_test_sub_first"
