"""The real Stripe SDK against the fake Stripe API: what the site sends, and what it does."""

from __future__ import annotations

from sqlalchemy import select

from community.billing import stripe_api
from community.billing.models import Payment
from community.billing.subscriptions import profile_for
from community.extensions import db
from community.membership.tiers import tier_by_slug
from tests.billing.conftest import start_checkout
from tests.helpers import csrf_from


def only_payment() -> Payment:
    db.session.expire_all()
    (payment,) = db.session.scalars(select(Payment)).all()
    return payment


def test_pass_checkout_offers_card_alipay_and_wechat_pay(
    client, login, free_user, stripe_site, runner
):
    assert runner.invoke(args=["billing", "sync-stripe"]).exit_code == 0
    login(client, free_user)
    response = start_checkout(client, "member")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")

    (call,) = stripe_site.calls_to("POST", "/v1/checkout/sessions")
    payment = only_payment()
    params = call.params
    assert params["mode"] == "payment"
    assert [params[f"payment_method_types[{i}]"] for i in range(3)] == [
        "card",
        "alipay",
        "wechat_pay",
    ]
    assert params["payment_method_options[wechat_pay][client]"] == "web"
    assert params["client_reference_id"] == str(free_user.id)
    assert params["metadata[tier]"] == "member"
    assert params["metadata[kind]"] == "new"
    assert params["metadata[payment_id]"] == str(payment.id)
    assert params["line_items[0][price_data][unit_amount]"] == "19900"
    assert params["line_items[0][price_data][currency]"] == "cny"
    assert params["customer_email"] == free_user.email
    assert params["success_url"].endswith("/billing/success?session_id={CHECKOUT_SESSION_ID}")
    assert call.headers["Authorization"] == "Bearer sk_test_fake"
    assert (payment.provider, payment.status, payment.provider_session_id) == (
        "stripe",
        "pending",
        response.headers["Location"].rsplit("/", 1)[1],
    )


def test_a_pass_checkout_creates_the_missing_product_on_first_use(
    client, login, free_user, stripe_site
):
    """A site selling only passes never ran `flask billing sync-stripe`: checkout still works."""
    assert stripe_site.products == {}
    login(client, free_user)
    response = start_checkout(client, "member")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert stripe_site.products["community-member"]["name"] == "会员"
    refused, created = stripe_site.calls_to("POST", "/v1/checkout/sessions")
    assert refused.params == created.params
    assert only_payment().provider_session_id == response.headers["Location"].rsplit("/", 1)[1]

    # Known now: the next checkout goes straight through.
    stripe_site.calls.clear()
    login(client, free_user)
    start_checkout(client, "pro")
    assert len(stripe_site.calls_to("POST", "/v1/checkout/sessions")) == 1
    assert stripe_site.calls_to("POST", "/v1/products") == []


def test_a_subscription_checkout_creates_the_missing_yearly_price_on_first_use(
    client, login, free_user, stripe_site
):
    login(client, free_user)
    response = start_checkout(client, "pro", mode="subscription")
    assert response.status_code == 303
    (call,) = stripe_site.calls_to("POST", "/v1/checkout/sessions")
    price = stripe_site.prices[call.params["line_items[0][price]"]]
    assert (price["product"], price["unit_amount"], price["lookup_key"]) == (
        "community-pro",
        49900,
        "community-pro-yearly",
    )


def test_subscription_checkout_uses_the_synced_yearly_price(
    client, login, free_user, stripe_site, runner
):
    assert runner.invoke(args=["billing", "sync-stripe"]).exit_code == 0
    login(client, free_user)
    response = start_checkout(client, "pro", mode="subscription")
    assert response.status_code == 303
    (call,) = stripe_site.calls_to("POST", "/v1/checkout/sessions")
    pro_price = next(
        price
        for price in stripe_site.prices.values()
        if price["lookup_key"] == "community-pro-yearly"
    )
    assert call.params["mode"] == "subscription"
    assert call.params["payment_method_types[0]"] == "card"
    assert "payment_method_types[1]" not in call.params
    assert call.params["line_items[0][price]"] == pro_price["id"]
    assert call.params["subscription_data[metadata][tier]"] == "pro"
    assert call.params["metadata[kind]"] == "new"
    assert only_payment().mode == "subscription"


def test_checkout_when_stripe_is_down_fails_the_payment_calmly(
    client, login, free_user, stripe_site
):
    login(client, free_user)
    stripe_site.fail_next = 500
    response = start_checkout(client, "member")
    assert response.status_code == 302 and response.headers["Location"].endswith("/pricing")
    assert only_payment().status == "failed"
    page = client.get("/pricing").get_data(as_text=True)
    assert "暂时无法连接支付服务" in page


def test_sync_stripe_creates_then_updates_products_and_prices(app, runner, stripe_site):
    result = runner.invoke(args=["billing", "sync-stripe"])
    assert result.exit_code == 0, result.output
    assert set(stripe_site.products) == {"community-member", "community-pro"}
    prices = {p["lookup_key"]: p for p in stripe_site.prices.values()}
    assert prices["community-member-yearly"]["unit_amount"] == 19900
    assert prices["community-pro-yearly"]["recurring"] == {"interval": "year"}

    # Unchanged tiers create no new prices; a price change replaces the price.
    runner.invoke(args=["billing", "sync-stripe"])
    assert len(stripe_site.prices) == 2
    tier_by_slug("member").annual_price = 25900
    db.session.commit()
    result = runner.invoke(args=["billing", "sync-stripe"])
    assert "community-member-yearly = 25900" in result.output
    active = [p for p in stripe_site.prices.values() if p["active"]]
    assert sorted(p["unit_amount"] for p in active) == [25900, 49900]
    current = [p for p in active if p["lookup_key"] == "community-member-yearly"]
    assert [p["unit_amount"] for p in current] == [25900]


def test_sync_stripe_needs_a_key(runner, app):
    result = runner.invoke(args=["billing", "sync-stripe"])
    assert result.exit_code != 0 and "STRIPE_SECRET_KEY" in result.output


def test_portal_link_for_a_stripe_customer(client, login, free_user, stripe_site):
    profile_for(free_user.id).stripe_customer_id = "cus_test_1"
    db.session.commit()
    login(client, free_user)
    token = csrf_from(client.get("/billing"))
    response = client.post("/billing/portal", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "https://billing.stripe.com/p/session/test_portal"
    (call,) = stripe_site.calls_to("POST", "/v1/billing_portal/sessions")
    assert call.params["customer"] == "cus_test_1"
    assert call.params["return_url"].endswith("/billing")


def test_content_security_policy_allows_the_stripe_redirects(client):
    policy = client.get("/pricing").headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com https://billing.stripe.com" in policy


def test_verified_event_rejects_a_wrong_secret(app):
    import pytest
    import stripe

    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_right"
    body = b'{"id": "evt_1", "type": "x"}'
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), "whsec_wrong")
    with pytest.raises(stripe_api.BadSignature):
        stripe_api.verified_event(body, header)
