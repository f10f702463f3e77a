"""End to end in Chromium: a free user buys a year offline, uses it, and refunds it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from community.clock import utcnow
from community.membership.entitlements import standing_at
from tests.browser.test_account_flow import log_in, user_by_email
from tests.conftest import PASSWORD


def test_free_user_buys_a_year_offline_then_refunds_within_72_hours(page, live_server, free_user):
    token_form = page.locator("#tokens form[action='/account/tokens']")

    log_in(page, free_user.email, PASSWORD)
    page.goto("/account/settings")
    expect(token_form).to_have_count(0)

    # Pricing → checkout → the offline test page, clearly labelled.
    page.locator("#site-nav a[href='/pricing']").click()
    expect(page).to_have_url(re.compile(r"/pricing$"))
    page.get_by_test_id("buy-member").click()
    expect(page.get_by_test_id("offer")).to_have_attribute("data-kind", "new")
    page.get_by_test_id("pay").click()
    expect(page).to_have_url(re.compile(r"/billing/offline/\d+$"))
    expect(page.get_by_test_id("test-banner")).to_be_visible()
    page.get_by_test_id("complete-test-payment").click()

    # The success page shows the new end date.
    expect(page).to_have_url(re.compile(r"/billing/success\?payment=\d+$"))
    end_text = page.get_by_test_id("active-until").inner_text()
    current = standing_at(user_by_email(free_user.email), utcnow())
    assert current.tier.slug == "member"
    assert str(current.active_until.year) in end_text

    # Member-only content is unlocked; the billing page shows the end date.
    page.goto("/account/settings")
    expect(token_form).to_be_visible()
    page.goto("/billing")
    expect(page.get_by_test_id("membership")).to_have_attribute("data-tier", "member")
    expect(page.get_by_test_id("active-until")).to_contain_text(str(current.active_until.year))

    # Refund within 72 hours, on a page of its own that says what ends: free again, locked again.
    page.locator("[data-testid^='refund-']").click()
    expect(page).to_have_url(re.compile(r"/billing/payments/\d+/refund$"))
    expect(page.get_by_test_id("refund-total")).to_have_text("¥199")
    page.get_by_test_id("confirm-refund").click()
    expect(page).to_have_url(re.compile(r"/billing$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("membership")).to_have_attribute("data-tier", "free")
    expect(page.locator("[data-testid^='refund-']")).to_have_count(0)
    assert standing_at(user_by_email(free_user.email), utcnow()).tier.slug == "free"
    page.goto("/account/settings")
    expect(token_form).to_have_count(0)
