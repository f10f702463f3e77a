"""Webhook deliveries refused, flagged, failed or retried, and refunds through Stripe."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from community.billing import purchases, webhooks
from community.billing.models import BillingProfile, Payment, PaymentEvent, Refund
from community.extensions import db
from community.membership.periods import YEAR
from tests.billing.conftest import deliver, make_event
from tests.billing.webhooks.events import (
    NOW,
    T0,
    charge,
    event_status,
    invoice,
    session_of,
    state,
    stripe_purchase,
    subscribed,
)
from tests.helpers import csrf_from


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
        data={"csrf_token": token, "amount": "50", "reason": "部分退款", "confirm": "yes"},
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
        data={"csrf_token": token, "amount": "199", "reason": "退款", "confirm": "yes"},
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
        data={
            "csrf_token": csrf_from(client.get(url)),
            "amount": "199",
            "reason": "退订",
            "confirm": "yes",
        },
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


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda event: event.update(created="yesterday"), "created is not an integer"),
        (lambda event: event.update(created=1.5), "created is not an integer"),
        (lambda event: event.update(created=10**20), "created is out of range"),
        (lambda event: event.update(id=12345), "id is not a string"),
        (lambda event: event.update(id={"nested": True}), "id is not a string"),
        (lambda event: event.update(type=["checkout.session.completed"]), "type is not a string"),
        (lambda event: event["data"].update(object="cs_123"), "data.object is not an object"),
        (lambda event: event.update(data=[]), "data.object is not an object"),
        (lambda event: event["data"]["object"].update(id=7), "data.object.id is not a string"),
    ],
)
def test_signed_but_malformed_event_is_stored_as_failed_and_answered_400(
    client, buyer, change, reason
):
    payment = stripe_purchase(buyer)
    event = make_event("checkout.session.completed", session_of(payment), T0)
    change(event)
    response = deliver(client, event)
    assert response.status_code == 400
    assert response.get_json()["reason"] == reason

    db.session.expire_all()
    (row,) = db.session.scalars(select(PaymentEvent)).all()
    assert (row.status, row.error) == ("failed", f"malformed event: {reason}")
    assert json.loads(row.payload) == event
    assert state(buyer)["periods"] == []
    # Delivered again it is the same stored row, and an operator can see it among failures.
    assert deliver(client, event).status_code == 400
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 1
    assert webhooks.process_event(row.id, again=True) == "failed"
