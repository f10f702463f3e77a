"""End to end in Chromium: an operator imports a report and the member sees the order pending;
after the settled report it is confirmed; the member withdraws on a phone and the operator
pays it."""

from __future__ import annotations

from playwright.sync_api import expect

from community.affiliate.services import sub_id_of
from community.extensions import db
from tests.browser.test_account_flow import log_in
from tests.conftest import PASSWORD
from tests.rebates import reports
from tests.rebates.conftest import days_later


def import_through_the_page(page, path) -> None:
    page.goto("/operator/rebates")
    page.locator("#network").select_option("generic")
    page.locator("#report").set_input_files(str(path))
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("import-result")).to_have_attribute("data-status", "done")


def test_import_confirm_withdraw_and_pay(page, phone_page, live_server, member, operator, tmp_path):
    sub = sub_id_of(member)
    db.session.commit()
    paid = reports.write_csv(
        tmp_path / "paid.csv",
        reports.GENERIC_HEADERS,
        [reports.generic_row("9000123456789012", sub, commission="100.00")],
    )
    settled = reports.write_csv(
        tmp_path / "settled.csv",
        reports.GENERIC_HEADERS,
        [
            reports.generic_row(
                "9000123456789012",
                sub,
                "settled",
                commission="100.00",
                settled_at=days_later(-20).isoformat(),
            )
        ],
        "utf-8-sig",
    )

    log_in(page, operator.email, PASSWORD)
    import_through_the_page(page, paid)
    expect(page.get_by_test_id("new")).to_have_text("1")

    log_in(phone_page, member.email, PASSWORD)
    phone_page.goto("/rebates")
    order = phone_page.locator("[data-order='9000123456789012']")
    expect(order).to_have_attribute("data-status", "paid")
    expect(phone_page.get_by_test_id("pending")).to_contain_text("¥50")
    expect(phone_page.get_by_test_id("invite-qr")).to_be_visible()

    import_through_the_page(page, settled)
    expect(page.get_by_test_id("changed")).to_have_text("1")
    phone_page.reload()
    expect(order).to_have_attribute("data-status", "settled")
    expect(phone_page.get_by_test_id("confirmed")).to_contain_text("¥50")
    expect(phone_page.get_by_test_id("withdrawable")).to_contain_text("¥50")

    phone_page.locator("#amount").fill("30")
    phone_page.locator("#method").select_option("alipay")
    phone_page.locator("#account").fill("member@example.com")
    phone_page.locator("#account_name").fill("李明")
    phone_page.get_by_test_id("withdraw").click()
    expect(phone_page.get_by_test_id("withdraw-summary")).to_contain_text("¥30")
    phone_page.get_by_test_id("confirm-withdraw").click()
    expect(phone_page.get_by_test_id("frozen")).to_contain_text("¥30")
    expect(phone_page.get_by_test_id("withdrawable")).to_contain_text("¥20")

    page.goto("/operator/rebates/withdrawals")
    page.locator("[data-testid^='approve-']").click()
    page.get_by_test_id("confirm-step").click()
    page.locator("[data-testid^='pay-']").click()
    page.locator("#reference").fill("ALIPAY-2026120600001")
    page.get_by_test_id("confirm-step").click()
    expect(page.locator(".flash-success")).to_be_visible()

    phone_page.reload()
    expect(
        phone_page.locator("[data-testid='withdrawal-history'] tr[data-status='paid']")
    ).to_contain_text("ALIPAY-2026120600001")
    expect(phone_page.get_by_test_id("paid")).to_contain_text("¥30")
    expect(phone_page.get_by_test_id("frozen")).to_contain_text("¥0")
