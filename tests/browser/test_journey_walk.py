"""The member's journey on a phone (390 px) in Chromium: a visitor on a question's paywall
signs up, confirms the address, pays with the offline provider and is back on the question
reading the answer; at 20 days left the home prompts the renewal, which is paid at the
discount. Each step leaves a screenshot in tests/browser/screenshots/journey/ for review."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import time_machine
from playwright.sync_api import expect

from community.clock import utcnow
from community.extensions import db
from community.membership.entitlements import standing_at
from community.qa.services import answers, questions
from tests.browser.test_account_flow import log_in, user_by_email
from tests.helpers import link_in, path_of

SHOTS = Path(__file__).parent / "screenshots" / "journey"
PASSPHRASE = "a long enough passphrase 2026"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def pay_offline(page) -> None:
    page.get_by_test_id("pay").click()
    expect(page).to_have_url(re.compile(r"/billing/offline/\d+"))
    expect(page.get_by_test_id("test-banner")).to_be_visible()
    page.get_by_test_id("complete-test-payment").click()


def test_visitor_to_member_and_back_then_renewal_on_a_phone(
    phone_page, live_server, make_user, outbox
):
    page = phone_page
    question = questions.ask_question(
        make_user(tier="member"), "信用卡年费怎么免？", "招商银行的卡，年费 300 元。", "信用卡"
    )
    answers.post_answer(
        make_user(tier="member"), question, "打电话给客服说明消费情况，一般可以申请免年费。"
    )
    db.session.commit()
    question_path = f"/qa/{question.id}"

    # A visitor reads the teaser and meets the paywall: the buy button is one tap away.
    page.goto(question_path)
    expect(page.get_by_test_id("join-call")).to_be_visible()
    expect(page.get_by_text("打电话给客服")).to_have_count(0)
    shot(page, "01-question-visitor")
    page.get_by_test_id("join-member").click()

    # Sign up; the way back travels along.
    expect(page).to_have_url(re.compile(r"/account/register\?next="))
    page.locator("#email").fill("walker@example.com")
    page.locator("#name").fill("小王")
    page.locator("#password").fill(PASSPHRASE)
    shot(page, "02-register")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/billing/checkout\?tier=member"))

    # Confirm the address from the mail: back to the same checkout.
    page.goto(path_of(link_in(outbox()[-1])))
    expect(page).to_have_url(re.compile(r"/billing/checkout\?tier=member"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.get_by_test_id("offer")).to_have_attribute("data-kind", "new")
    assert user_by_email("walker@example.com").email_verified_at is not None
    shot(page, "03-verified-checkout")

    # Pay with the offline provider; the next-step page leads back to the question.
    pay_offline(page)
    expect(page.get_by_test_id("next-steps")).to_be_visible()
    shot(page, "04-paid-next-steps")
    page.get_by_test_id("continue").click()
    expect(page).to_have_url(re.compile(re.escape(question_path) + "$"))
    expect(page.get_by_text("打电话给客服")).to_be_visible()
    expect(page.get_by_test_id("join-call")).to_have_count(0)
    shot(page, "05-question-member")

    first_end = standing_at(user_by_email("walker@example.com"), utcnow()).active_until
    with time_machine.travel(first_end - timedelta(days=20) + timedelta(hours=1), tick=True):
        log_in(page, "walker@example.com", PASSPHRASE)
        page.goto("/")
        card = page.get_by_test_id("renewal-card")
        expect(card).to_contain_text("还剩 20 天")
        expect(page.get_by_test_id("renewal-price")).to_contain_text("¥179.10")
        expect(page.get_by_test_id("renewal-notice")).to_be_visible()
        shot(page, "06-renewal-prompt")

        page.get_by_test_id("renew").click()
        expect(page.get_by_test_id("offer")).to_have_attribute("data-kind", "renewal")
        expect(page.get_by_test_id("offer-amount")).to_have_text("¥179.10")
        shot(page, "07-renewal-checkout")
        pay_offline(page)
        expect(page.get_by_test_id("next-steps")).to_be_visible()
        shot(page, "08-renewed")
        renewed = standing_at(user_by_email("walker@example.com"), utcnow())
        page.goto("/")
        expect(page.get_by_test_id("renewal-notice")).to_have_count(0)
    assert renewed.active_until == first_end + timedelta(days=365)
