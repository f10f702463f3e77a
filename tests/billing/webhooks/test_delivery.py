"""Webhook deliveries: each event type applied once, whatever the repeats and the order."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from community.billing.models import Payment, PaymentEvent
from community.extensions import db
from community.membership.periods import YEAR
from tests.billing.conftest import deliver, make_event
from tests.billing.webhooks.events import (
    HANDLED,
    NOW,
    T0,
    charge,
    event_status,
    invoice,
    scenario,
    session_of,
    state,
    stripe_purchase,
    subscribed,
    subscription,
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
