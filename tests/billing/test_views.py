"""Member billing pages over HTTP with the offline provider: pricing, checkout, refunds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from community.billing.models import Payment
from community.clock import utcnow
from community.extensions import db
from community.membership.entitlements import standing_at
from community.membership.models import MembershipPeriod
from community.membership.periods import YEAR
from tests.billing.conftest import hidden_fields, start_checkout
from tests.helpers import csrf_from, zh


def payments_count() -> int:
    return db.session.scalar(select(func.count(Payment.id)))


def periods_count() -> int:
    return db.session.scalar(select(func.count(MembershipPeriod.id)))


def pay_offline(client, tier="member", outcome="complete"):
    """Check out `tier` and finish the test payment; returns the final response."""
    response = start_checkout(client, tier)
    assert response.status_code == 303
    checkout_page = client.get(response.headers["Location"])
    assert checkout_page.status_code == 200
    token = csrf_from(checkout_page)
    return client.post(
        response.headers["Location"] + f"/{outcome}",
        data={"csrf_token": token},
        follow_redirects=True,
    )


def test_pricing_page_lists_paid_tiers_and_is_linked_from_nav_and_landing(client):
    page = client.get("/pricing").get_data(as_text=True)
    assert "¥199" in page and "¥499" in page
    assert 'href="/pricing"' in client.get("/").get_data(as_text=True)
    assert 'data-testid="see-pricing"' in client.get("/").get_data(as_text=True)


def test_pricing_shows_renewal_price_for_members(client, login, make_user, app):
    user = make_user(tier="member", days=20)
    login(client, user)
    page = client.get("/pricing").get_data(as_text=True)
    assert 'data-kind="renewal"' in page
    assert "¥179.10" in page  # 10% off 199, inside the renewal window
    assert 'data-kind="upgrade"' in page


def test_offline_checkout_is_labelled_as_a_test_and_completes_the_purchase(
    client, login, free_user
):
    login(client, free_user)
    response = start_checkout(client, "member")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="test-banner"' in page
    assert zh("TEST MODE: this is the offline demo checkout. No money is charged.") in page

    token = csrf_from(client.get(response.headers["Location"]))
    done = client.post(response.headers["Location"] + "/complete", data={"csrf_token": token})
    assert done.status_code == 302 and "/billing/success?payment=" in done.headers["Location"]
    success = client.get(done.headers["Location"]).get_data(as_text=True)
    current = standing_at(free_user, utcnow())
    assert current.tier.slug == "member"
    assert 'data-testid="active-until"' in success
    assert str(current.active_until.year) in success


def test_failed_test_payment_changes_nothing(client, login, free_user):
    login(client, free_user)
    page = pay_offline(client, outcome="fail")
    assert zh("The test payment failed. Nothing was charged and nothing changed.") in (
        page.get_data(as_text=True)
    )
    assert db.session.scalar(select(Payment.status)) == "failed"
    assert periods_count() == 0


def test_completing_a_test_payment_twice_grants_once(client, login, free_user):
    login(client, free_user)
    response = start_checkout(client, "member")
    url = response.headers["Location"]
    token = csrf_from(client.get(url))
    client.post(url + "/complete", data={"csrf_token": token})
    client.post(url + "/complete", data={"csrf_token": token})
    assert periods_count() == 1


def test_billing_page_shows_tier_end_date_payments_and_receipt(client, login, free_user):
    login(client, free_user)
    pay_offline(client)
    page = client.get("/billing").get_data(as_text=True)
    current = standing_at(free_user, utcnow())
    assert 'data-tier="member"' in page
    assert 'data-testid="auto-renew"' in page
    payment = db.session.scalar(select(Payment))
    assert f'data-payment="{payment.id}"' in page
    assert f'data-testid="refund-{payment.id}"' in page
    assert current.active_until.strftime("%Y") in page
    receipt = client.get(f"/billing/payments/{payment.id}/receipt")
    assert receipt.status_code == 200 and "¥199" in receipt.get_data(as_text=True)


def test_member_refund_within_72_hours(client, login, free_user):
    login(client, free_user)
    pay_offline(client)
    payment = db.session.scalar(select(Payment))
    token = csrf_from(client.get("/billing"))
    response = client.post(f"/billing/payments/{payment.id}/refund", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert standing_at(free_user, utcnow()).tier.slug == "free"
    assert db.session.get(Payment, payment.id).refunded_amount == 19900


def test_member_refund_after_72_hours_is_refused_in_chinese(client, login, free_user):
    login(client, free_user)
    pay_offline(client)
    payment = db.session.scalar(select(Payment))
    token = csrf_from(client.get("/billing"))
    with time_machine.travel(utcnow() + timedelta(hours=73)):
        page = client.get("/billing").get_data(as_text=True)
        assert f'data-testid="refund-{payment.id}"' not in page
        response = client.post(f"/billing/payments/{payment.id}/refund", data={"csrf_token": token})
    assert response.status_code == 400
    assert zh(
        "Refunds are possible within 72 hours of a first payment; that time has passed."
    ) in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_amount == 0
    assert standing_at(free_user, utcnow()).tier.slug == "member"


def test_refund_of_someone_elses_payment_is_forbidden(client, login, free_user, mallory):
    login(client, free_user)
    pay_offline(client)
    payment = db.session.scalar(select(Payment))
    intruder = client.application.test_client()
    login(intruder, mallory)
    token = csrf_from(intruder.get("/billing"))
    response = intruder.post(f"/billing/payments/{payment.id}/refund", data={"csrf_token": token})
    assert response.status_code == 403
    assert zh("This payment belongs to someone else.") in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).refunded_amount == 0
    assert intruder.get(f"/billing/payments/{payment.id}/receipt").status_code == 404
    assert intruder.get(f"/billing/offline/{payment.id}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"tier": "platinum"}, "This tier is not for sale."),
        ({"tier": "free"}, "This tier is not for sale."),
        ({"amount": "1"}, "The price has changed. Please review the new price and confirm again."),
        (
            {"amount": "-19900"},
            "The price has changed. Please review the new price and confirm again.",
        ),
        (
            {"amount": "¥199"},
            "The price has changed. Please review the new price and confirm again.",
        ),
        ({"kind": "upgrade"}, "This offer has changed. Please review it and confirm again."),
        ({"mode": "subscription"}, "A card subscription is not available for this purchase."),
    ],
)
def test_tampered_checkout_form_is_refused_and_nothing_is_recorded(
    client, login, free_user, overrides, message
):
    login(client, free_user)
    response = start_checkout(client, "member", **overrides)
    assert response.status_code == 400
    assert zh(message) in response.get_data(as_text=True)
    assert payments_count() == 0


def test_checkout_while_on_the_tier_is_a_renewal(client, login, member):
    login(client, member)
    page = client.get("/billing/checkout?tier=member")
    assert 'data-kind="renewal"' in page.get_data(as_text=True)
    fields = hidden_fields(page)
    assert fields["kind"] == "renewal"

    response = client.post("/billing/checkout", data={**fields, "kind": "new", "mode": "pass"})
    assert response.status_code == 400
    end = standing_at(member, utcnow()).active_until
    assert "续费" in response.get_data(as_text=True)
    assert payments_count() == 0

    pay_offline(client)
    db.session.expire_all()
    assert standing_at(member, utcnow()).active_until == end + YEAR


def test_checkout_needs_sign_in_and_a_known_tier(client, login, free_user):
    assert client.get("/billing/checkout?tier=member").status_code == 302
    login(client, free_user)
    assert client.get("/billing/checkout?tier=nope").status_code == 400
    assert client.get("/billing/checkout").status_code == 404


def test_checkout_without_csrf_is_refused(client, login, free_user):
    login(client, free_user)
    response = client.post(
        "/billing/checkout", data={"tier": "member", "kind": "new", "amount": "19900"}
    )
    assert response.status_code == 400
    assert payments_count() == 0


def test_upgrade_via_checkout_keeps_the_end_date(client, login, member):
    end = standing_at(member, utcnow()).active_until
    login(client, member)
    pay_offline(client, tier="pro")
    db.session.expire_all()
    current = standing_at(member, utcnow())
    assert current.tier.slug == "pro" and current.active_until == end
    payment = db.session.scalar(select(Payment))
    assert payment.kind == "upgrade" and 0 < payment.amount < 30000


def test_member_only_api_token_form_unlocks_after_purchase(client, login, free_user):
    login(client, free_user)
    token_form = 'action="/account/tokens"'
    assert token_form not in client.get("/account/settings").get_data(as_text=True)
    pay_offline(client)
    assert token_form in client.get("/account/settings").get_data(as_text=True)


def test_an_abandoned_checkout_stays_off_the_members_list(client, login, free_user):
    login(client, free_user)
    assert start_checkout(client, "member").status_code == 303
    payment = db.session.scalar(select(Payment))
    assert payment.status == "pending"
    assert f'data-payment="{payment.id}"' not in client.get("/billing").get_data(as_text=True)


def test_billing_pages_render_in_english_too(client, login, free_user):
    login(client, free_user)
    pay_offline(client)
    english = {"Accept-Language": "en"}
    free_user.locale = "en"
    db.session.commit()
    for url in ("/pricing", "/billing", "/billing/checkout?tier=pro"):
        page = client.get(url, headers=english)
        assert page.status_code == 200
        assert 'lang="en"' in page.get_data(as_text=True)
    assert "Active until" in client.get("/billing").get_data(as_text=True)
