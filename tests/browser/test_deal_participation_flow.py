"""End to end in Chromium: a member saves a keyword alert on a phone and hears of a matching
deal an operator publishes; a member's tip goes through the operators' review to the feed."""

from __future__ import annotations

from playwright.sync_api import expect

from community.deals import alerts
from tests.browser.test_account_flow import log_in
from tests.conftest import PASSWORD


def test_an_alert_tells_the_member_of_a_newly_published_deal(page, phone_page, member, operator):
    log_in(phone_page, member.email, PASSWORD)
    phone_page.goto("/deals/")
    phone_page.get_by_test_id("alerts-link").click()
    phone_page.locator("#keywords").fill("空气炸锅")
    phone_page.locator("#max_price").fill("300")
    phone_page.get_by_test_id("alert-save").click()
    expect(phone_page.get_by_test_id("alert")).to_contain_text("空气炸锅")

    log_in(page, operator.email, PASSWORD)
    page.goto("/operator/deals/new")
    page.locator("#title").fill("美的空气炸锅 5L 家用大容量")
    page.locator("#platform").select_option("jd")
    page.locator("#url").fill("https://union-click.jd.com/jdc?sku=777&subUnionId={sub_id}")
    page.locator("#price").fill("199")
    page.locator("#commission_rate").fill("5")
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("deal-status")).to_be_visible()

    # What the scheduler runs every minute.
    assert alerts.send_alerts().hits == 1

    phone_page.goto("/deals/")
    expect(phone_page.get_by_test_id("unread-count")).to_have_text("1")
    phone_page.locator(".nav-toggle").click()
    phone_page.get_by_test_id("bell").click()
    notice = phone_page.get_by_test_id("notification")
    expect(notice).to_contain_text("有符合你提醒的好价上线了")
    notice.get_by_role("link", name="美的空气炸锅 5L 家用大容量").click()
    expect(phone_page.locator("h1")).to_contain_text("美的空气炸锅 5L 家用大容量")


def test_a_tip_goes_through_review_to_the_feed(page, phone_page, member, operator):
    log_in(phone_page, member.email, PASSWORD)
    phone_page.goto("/deals/")
    phone_page.get_by_test_id("tip-link").click()
    phone_page.locator("#url").fill("https://item.jd.com/100012345678.html")
    phone_page.locator("#title").fill("小米手环 9 NFC 版")
    phone_page.locator("#price").fill("229")
    phone_page.locator("#reason").fill("比日常价便宜 40 元，还送表带")
    phone_page.get_by_test_id("tip-send").click()
    expect(phone_page.get_by_test_id("my-tip")).to_contain_text("等待审核")

    log_in(page, operator.email, PASSWORD)
    page.goto("/operator/deals")
    page.get_by_test_id("tips-queue").click()
    page.get_by_test_id("queued-tip").get_by_role("link").click()
    expect(page.get_by_test_id("tip-details")).to_contain_text("比日常价便宜 40 元")
    page.locator("#platform").select_option("jd")
    page.locator("#url").fill("https://union-click.jd.com/jdc?sku=100012345678&subUnionId={sub_id}")
    page.locator("#commission_rate").fill("4.5")
    page.get_by_test_id("tip-publish").click()
    expect(page.get_by_test_id("deal-status")).to_be_visible()

    phone_page.goto("/deals/")
    card = phone_page.get_by_test_id("deal-card").filter(has_text="小米手环 9 NFC 版")
    expect(card.get_by_test_id("price")).to_contain_text("229")
    card.get_by_role("link", name="小米手环 9 NFC 版").click()
    expect(phone_page.get_by_text(f"由 {member.name} 爆料")).to_be_visible()
    phone_page.goto("/deals/tips")
    expect(phone_page.get_by_test_id("my-tip")).to_contain_text("已发布")
