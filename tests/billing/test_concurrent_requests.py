"""Money under simultaneous requests: real threads against a real server, SQLite and PostgreSQL.

Six clicks on "complete" make one period; six refunds of one payment never return more than
it took; six deliveries of one webhook event apply it once. Every loser gets a calm answer.
"""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from community.billing import purchases
from community.billing.models import Payment, PaymentEvent, Refund
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.membership.tiers import tier_by_slug
from tests.billing.conftest import WEBHOOK_PATH, WEBHOOK_SECRET, make_event
from tests.conftest import PASSWORD
from tests.helpers import CSRF_RE

TIMES = 6


def signed_in(base: str, user) -> tuple[requests.Session, str]:
    """A session signed in through the login form, and a CSRF token that works in it."""
    session = requests.Session()
    page = session.get(f"{base}/account/login")
    token = CSRF_RE.search(page.text)
    form = {"csrf_token": token.group(1) or token.group(2), "email": user.email}
    answer = session.post(
        f"{base}/account/login", data={**form, "password": PASSWORD}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text
    match = CSRF_RE.search(session.get(f"{base}/billing").text)
    return session, match.group(1) or match.group(2)


def all_at_once(send, times: int = TIMES) -> list[int]:
    """Call `send()` from `times` threads released together; their HTTP status codes."""
    start = threading.Barrier(times)
    codes = [0] * times

    def worker(index: int) -> None:
        start.wait()
        codes[index] = send().status_code

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def paid_offline(user, slug: str = "member") -> Payment:
    moment = utcnow()
    offer = purchases.quote(user, tier_by_slug(slug), moment)
    payment = purchases.start_purchase(
        user, slug, offer.kind, offer.amount, "pass", "offline", moment
    )
    purchases.fulfil_payment(payment, payment.amount, payment.currency, moment)
    db.session.commit()
    return payment


def count(column, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(column)).where(*where))


def test_six_completes_of_one_offline_payment_make_one_period(live_server, free_user):
    moment = utcnow()
    offer = purchases.quote(free_user, tier_by_slug("member"), moment)
    payment = purchases.start_purchase(
        free_user, "member", offer.kind, offer.amount, "pass", "offline", moment
    )
    db.session.commit()
    session, token = signed_in(live_server, free_user)
    url = f"{live_server}/billing/offline/{payment.id}/complete"

    codes = all_at_once(
        lambda: session.post(url, data={"csrf_token": token}, allow_redirects=False)
    )

    assert codes == [302] * TIMES
    assert count(MembershipPeriod.id, MembershipPeriod.user_id == free_user.id) == 1


def test_six_member_refunds_of_one_payment_refund_it_once(live_server, free_user):
    payment = paid_offline(free_user)
    session, token = signed_in(live_server, free_user)
    url = f"{live_server}/billing/payments/{payment.id}/refund"

    codes = all_at_once(
        lambda: session.post(url, data={"csrf_token": token}, allow_redirects=False)
    )

    assert sorted(codes) == [302] + [400] * (TIMES - 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(Refund.amount))) == payment.amount
    assert count(Refund.id) == 1


def test_six_operator_refunds_at_once_never_return_more_than_was_paid(
    live_server, free_user, operator
):
    payment = paid_offline(free_user, "pro")
    session, token = signed_in(live_server, operator)
    url = f"{live_server}/operator/members/{free_user.id}/payments/{payment.id}/refund"
    form = {"csrf_token": token, "amount": "150.00", "reason": "客服退款", "confirm": "yes"}

    codes = all_at_once(lambda: session.post(url, data=form, allow_redirects=False))

    # ¥150 fits three times into ¥499; the fourth would pass what was paid.
    assert sorted(codes) == [302] * 3 + [400] * (TIMES - 3)
    db.session.expire_all()
    assert db.session.scalar(select(func.sum(Refund.amount))) == 45000
    assert db.session.get(Payment, payment.id).refundable_amount == 4900


def test_six_deliveries_of_one_event_apply_it_once(live_server, app, free_user):
    import json

    import stripe

    app.config.update(STRIPE_SECRET_KEY="sk_test_unused", STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    moment = utcnow()
    offer = purchases.quote(free_user, tier_by_slug("member"), moment)
    payment = purchases.start_purchase(
        free_user, "member", offer.kind, offer.amount, "pass", "stripe", moment
    )
    payment.provider_session_id = f"cs_test_{payment.id}"
    db.session.commit()
    event = make_event(
        "checkout.session.completed",
        {
            "id": payment.provider_session_id,
            "object": "checkout.session",
            "mode": "payment",
            "client_reference_id": str(free_user.id),
            "metadata": {"payment_id": str(payment.id)},
            "amount_total": payment.amount,
            "currency": "cny",
            "payment_status": "paid",
            "payment_intent": f"pi_test_{payment.id}",
        },
    )
    body = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(body, WEBHOOK_SECRET)

    def deliver():
        return requests.post(
            live_server + WEBHOOK_PATH,
            data=body.encode(),
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            timeout=30,
        )

    assert all_at_once(deliver) == [200] * TIMES
    assert count(MembershipPeriod.id, MembershipPeriod.user_id == free_user.id) == 1
    assert count(PaymentEvent.id) == 1


@pytest.fixture(autouse=True)
def _limits_off(app):
    """Six sign-in-protected requests at once are not an attack here."""
    app.config["RATELIMIT_ENABLED"] = False
