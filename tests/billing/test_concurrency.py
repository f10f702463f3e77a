"""Simultaneous deliveries: the same event many times at once, and two payments at once."""

from __future__ import annotations

import threading

from sqlalchemy import select

from community.billing import purchases
from community.billing.models import PaymentEvent
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.membership.periods import YEAR
from community.membership.tiers import tier_by_slug
from tests.billing.conftest import deliver, make_event


def stripe_session(user, payment):
    return {
        "id": payment.provider_session_id,
        "object": "checkout.session",
        "mode": "payment",
        "client_reference_id": str(user.id),
        "metadata": {"payment_id": str(payment.id)},
        "amount_total": payment.amount,
        "currency": "cny",
        "payment_status": "paid",
        "payment_intent": f"pi_test_{payment.id}",
    }


def new_payment(user):
    offer = purchases.quote(user, tier_by_slug("member"), utcnow())
    payment = purchases.start_purchase(
        user, "member", offer.kind, offer.amount, "pass", "stripe", utcnow()
    )
    payment.provider_session_id = f"cs_test_{payment.id}"
    db.session.commit()
    return payment


def deliver_together(app, events) -> list[int]:
    """Deliver each event from its own thread, released at the same moment."""
    start = threading.Barrier(len(events))
    codes: list[int] = [0] * len(events)

    def worker(index, event):
        client = app.test_client()
        start.wait()
        codes[index] = deliver(client, event).status_code

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(events)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return codes


def test_the_same_event_delivered_at_once_grants_one_year(app, make_user, stripe_site):
    user = make_user()
    payment = new_payment(user)
    event = make_event("checkout.session.completed", stripe_session(user, payment))
    codes = deliver_together(app, [event] * 6)
    assert 200 in codes and set(codes) <= {200, 500}
    db.session.expire_all()
    periods = db.session.scalars(
        select(MembershipPeriod).where(MembershipPeriod.user_id == user.id)
    ).all()
    assert len(periods) == 1
    assert db.session.scalar(select(PaymentEvent.status)) == "processed"


def test_two_payments_at_once_give_two_consecutive_years(app, make_user, stripe_site):
    user = make_user()
    first, second = new_payment(user), new_payment(user)
    events = [
        make_event("checkout.session.completed", stripe_session(user, first)),
        make_event("checkout.session.completed", stripe_session(user, second)),
    ]
    codes = deliver_together(app, events)
    for event, code in zip(events, codes, strict=True):
        if code != 200:  # a loser of a lock race is retried by Stripe
            assert deliver(app.test_client(), event).status_code == 200
    db.session.expire_all()
    spans = sorted(
        (p.starts_at, p.ends_at)
        for p in db.session.scalars(
            select(MembershipPeriod).where(MembershipPeriod.user_id == user.id)
        )
    )
    assert len(spans) == 2
    assert spans[1][0] == spans[0][1]
    assert spans[1][1] - spans[0][0] == 2 * YEAR
