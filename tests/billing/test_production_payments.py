"""Production never takes offline demo payments, unless a staging site opts in loudly."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from community.accounts import sign_ins
from community.billing import purchases
from community.billing.models import Payment
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.membership.tiers import tier_by_slug
from tests.billing.conftest import hidden_fields
from tests.helpers import csrf_from, zh

SITE = "https://community.example"
CLOSED = (
    "Checkout is closed: this site does not take payments yet. "
    "Nothing was charged. Please try again later."
)


@pytest.fixture
def production(app_config, make_app):
    def make(**settings):
        config = {
            **app_config,
            "ENV_NAME": "production",
            "SITE_URL": SITE,
            "STRIPE_SECRET_KEY": "",
            **settings,
        }
        return make_app(config)

    return make


def client_of(site, user):
    """A client of `site` signed in as `user` on the site's own (https) address."""
    sign_ins.open_sign_in(user)
    db.session.commit()
    client = site.test_client()
    with client.session_transaction(base_url=SITE) as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def get(client, path):
    return client.get(path, base_url=SITE)


def post(client, path, data=None):
    # Over https, CSRF protection also wants a Referer from the site itself.
    return client.post(path, data=data or {}, base_url=SITE, headers={"Referer": SITE + "/"})


def pending_offline_payment(user) -> Payment:
    offer = purchases.quote(user, tier_by_slug("pro"), utcnow())
    payment = purchases.start_purchase(
        user, "pro", offer.kind, offer.amount, "pass", "offline", utcnow()
    )
    db.session.commit()
    return payment


def test_production_without_stripe_keys_has_checkout_closed(production, free_user):
    site = production()
    assert site.config["OFFLINE_PAYMENTS"] is False
    client = client_of(site, free_user)

    pricing = get(client, "/pricing")
    assert pricing.status_code == 200
    text = pricing.get_data(as_text=True)
    assert 'data-testid="checkout-closed"' in text
    assert zh(CLOSED) in text
    assert "/billing/checkout" not in text

    checkout = get(client, "/billing/checkout?tier=pro")
    assert checkout.status_code == 503
    assert zh(CLOSED) in checkout.get_data(as_text=True)
    form = {"csrf_token": csrf_from(pricing), "tier": "pro", "kind": "new", "amount": "49900"}
    refused = post(client, "/billing/checkout", form)
    assert refused.status_code == 503
    assert db.session.scalar(select(func.count(Payment.id))) == 0


def test_production_offline_test_page_does_not_exist(production, free_user):
    """A pending offline payment (say from before the switch) cannot be completed for free."""
    payment = pending_offline_payment(free_user)
    site = production()
    client = client_of(site, free_user)
    assert get(client, f"/billing/offline/{payment.id}").status_code == 404
    token = csrf_from(get(client, "/billing"))
    completed = post(client, f"/billing/offline/{payment.id}/complete", {"csrf_token": token})
    assert completed.status_code == 404
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).status == "pending"
    assert db.session.scalar(select(func.count(MembershipPeriod.id))) == 0


def test_staging_opt_in_takes_offline_payments_and_says_so_at_start(production, free_user, caplog):
    with caplog.at_level(logging.WARNING, logger="community"):
        site = production(PAYMENTS_OFFLINE=True)
    assert any("PAYMENTS_OFFLINE" in record.getMessage() for record in caplog.records)
    assert site.config["OFFLINE_PAYMENTS"] is True
    client = client_of(site, free_user)
    page = get(client, "/billing/checkout?tier=member")
    assert page.status_code == 200
    started = post(client, "/billing/checkout", {**hidden_fields(page), "mode": "pass"})
    assert started.status_code == 303
    test_page = get(client, started.headers["Location"])
    completed = post(client, started.headers["Location"] + "/complete", hidden_fields(test_page))
    assert completed.status_code == 302
    assert db.session.scalar(select(func.count(MembershipPeriod.id))) == 1


def test_payments_offline_is_read_from_the_environment(monkeypatch, make_app, app_config):
    monkeypatch.setenv("PAYMENTS_OFFLINE", "1")
    site = make_app({**app_config, "ENV_NAME": "production", "SITE_URL": SITE})
    assert site.config["OFFLINE_PAYMENTS"] is True
    monkeypatch.setenv("PAYMENTS_OFFLINE", "0")
    site = make_app({**app_config, "ENV_NAME": "production", "SITE_URL": SITE})
    assert site.config["OFFLINE_PAYMENTS"] is False


def test_development_keeps_the_offline_demo_without_a_warning(app, caplog):
    assert app.config["OFFLINE_PAYMENTS"] is True
