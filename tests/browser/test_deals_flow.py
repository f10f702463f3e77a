"""End to end in Chromium: a member on a phone filters the deal feed, votes 值, and follows a
go link to the shop (a local server standing in for it), which sees the member's sub id."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from community.affiliate.services import sub_id_of
from community.extensions import db
from tests.browser.test_account_flow import log_in
from tests.conftest import PASSWORD
from tests.deals.conftest import new_deal


@pytest.fixture
def shop():
    """A shop on a free local port; yields (base URL, the request paths it saw)."""
    seen: list[str] = []

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append(self.path)
            body = "<!doctype html><title>shop</title><h1 id='shop'>店铺商品页</h1>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_member_filters_votes_and_reaches_the_shop_with_their_sub_id(
    phone_page, live_server, member, shop
):
    base, seen = shop
    headphones = new_deal(
        title="索尼 降噪耳机 WH-1000XM5",
        platform="jd",
        url=f"{base}/item?sku=100038004359&subUnionId={{sub_id}}",
    )
    tissues = new_deal(
        title="维达 抽纸 24包",
        platform="pdd",
        url=f"{base}/goods?goods_id=1&uid={{sub_id}}",
        category="日用",
    )
    sub = sub_id_of(member)
    db.session.commit()
    page = phone_page

    log_in(page, member.email, PASSWORD)
    page.goto("/deals/")
    cards = page.get_by_test_id("deal-card")
    expect(cards).to_have_count(2)
    page.locator("select[name=platform]").select_option("jd")
    page.get_by_test_id("apply-filters").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(headphones.title)
    expect(page.get_by_text(tissues.title)).to_have_count(0)
    expect(cards.first.get_by_test_id("price")).to_have_text("¥189")
    expect(cards.first.get_by_test_id("rebate")).to_contain_text("约")

    cards.first.get_by_role("link", name=headphones.title).click()
    page.get_by_test_id("vote-worth").click()
    expect(page.get_by_test_id("votes")).to_contain_text("值 100%")
    expect(page.get_by_test_id("votes")).to_contain_text("1 值 / 0 不值")
    expect(page.get_by_test_id("vote-worth")).to_have_attribute("aria-pressed", "true")

    page.get_by_test_id("go").click()
    expect(page.locator("#shop")).to_have_text("店铺商品页")
    assert page.url.startswith(f"{base}/item?")
    [visit] = [path for path in seen if path.startswith("/item")]
    assert parse_qs(urlsplit(visit).query) == {"sku": ["100038004359"], "subUnionId": [sub]}
