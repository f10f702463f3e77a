"""Billing fixtures: a fake Stripe API, signed webhook deliveries, and Stripe-shaped events."""

from __future__ import annotations

import itertools
import json
import time

import pytest
import stripe

from tests.billing.fake_stripe import start_fake_stripe

WEBHOOK_SECRET = "whsec_test_secret"
WEBHOOK_PATH = "/billing/stripe/webhook"


@pytest.fixture
def fake_stripe():
    fake, server, thread = start_fake_stripe()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def stripe_site(app, fake_stripe):
    """The app with Stripe configured against the fake API."""
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_fake",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=fake_stripe.url,
    )
    return fake_stripe


_event_ids = itertools.count(1)


def make_event(kind: str, obj: dict, created: int | None = None, event_id: str | None = None):
    return {
        "id": event_id or f"evt_test_{next(_event_ids)}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": created if created is not None else int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def deliver(
    client,
    event: dict | None = None,
    *,
    body: str | None = None,
    timestamp=None,
    secret: str = WEBHOOK_SECRET,
    signature: str | None = None,
):
    """POST `event` (or a raw `body`) to the webhook with a real Stripe signature."""
    payload = body if body is not None else json.dumps(event)
    header = signature or stripe.WebhookSignature.generate_signature_header(
        payload, secret, timestamp=timestamp
    )
    return client.post(
        WEBHOOK_PATH,
        data=payload.encode(),
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
    )


def hidden_fields(response) -> dict[str, str]:
    import re

    html = response.get_data(as_text=True)
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' in tag:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def start_checkout(client, shown_tier: str, **overrides):
    """Open the checkout page for `shown_tier`, submit it as shown with `overrides` applied."""
    page = client.get(f"/billing/checkout?tier={shown_tier}")
    assert page.status_code == 200, page.get_data(as_text=True)
    form = {**hidden_fields(page), "mode": "pass", **overrides}
    return client.post("/billing/checkout", data=form)
