"""axe-core on every main page, as a visitor, a member and an operator, on a desktop and on a
phone (where every control must also be a 44-px target, and dates and counts stay on one line),
with the Chinese typography of what each page shows; and what screen readers are told about tier
perks and similar-question suggestions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from community.accounts.tokens import create_api_token
from community.clock import utcnow
from community.extensions import db
from community.feeds.services import rotate_token
from community.qa.services import answers, questions
from community.rebates.importer import import_report
from community.rebates.matching import claim_order
from community.search.indexer import ensure_index
from community.search.outbox import apply_all
from community.search.service import search_service
from tests.browser.accessibility import assert_accessible
from tests.browser.test_account_flow import log_in
from tests.browser.typography import assert_chinese_typography
from tests.conftest import PASSWORD
from tests.deals.conftest import new_deal
from tests.rebates import reports

MISSING = "/no-such-page"
VISITOR_PAGES = [
    "/",
    "/pricing",
    "/qa/",
    "/qa/featured",
    "/qa/tags/",
    "/qa/tags/信用卡",
    "/search?q=年费",
    "/search?q=没有这个词",
    "/account/login",
    "/account/register",
    "/account/forgot",
    "/deals/",
    MISSING,
]
MEMBER_PAGES = [
    "/",
    "/pricing",
    "/qa/",
    "/qa/mine",
    "/qa/ask",
    "/search?q=年费",
    "/billing",
    "/account/settings",
    "/account/feeds",
    "/rebates",
    "/qa/notifications",
    "/deals/",
    "/deals/alerts",
    "/deals/tips/new",
]
OPERATOR_PAGES = [
    "/operator/members",
    "/operator/rebates",
    "/operator/rebates/unmatched",
    "/operator/rebates/withdrawals",
    "/qa/review",
    "/qa/manage/tags",
    "/operator/deals",
    "/operator/deals/tips",
]

# The live server answers each request on a new thread; Whoosh's per-thread searchers of
# finished threads are closed by the garbage collector (ResourceWarning).
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture
def answered_question(member, operator):
    """A question with an answer, indexed, so lists, search and the question page have rows."""
    ensure_index()
    question = questions.ask_question(member, "信用卡年费怎么免", "次年年费要刷满六次。", "信用卡")
    db.session.flush()
    answers.post_answer(operator, question, "打电话给客服，说明刷卡次数。")
    create_api_token(member, "手机")
    rotate_token(member)
    db.session.commit()
    apply_all(search_service().backend)
    db.session.commit()
    yield question.id
    search_service().backend.close()


@pytest.fixture
def claimed_order(member, tmp_path):
    """An unmatched order a member claims: the queue and the claim's confirmation have rows."""
    path = reports.write_csv(
        tmp_path / "orders.csv",
        reports.GENERIC_HEADERS,
        [reports.generic_row("3000123456", "nobody", commission="12.50")],
        "utf-8",
    )
    import_report(path, "generic", utcnow())
    claim = claim_order(member, "3000123456", utcnow())
    db.session.commit()
    return claim.id


def walk(page, paths, touch: bool) -> None:
    for path in paths:
        response = page.goto(path)
        expected = 404 if path == MISSING else 200
        assert response.status == expected, f"{path} answered {response.status}"
        assert_accessible(page, touch=touch)
        assert_chinese_typography(page)


def buy_a_year(page) -> None:
    """A free user pays a year offline, so billing shows a payment row with its actions."""
    page.goto("/billing/checkout?tier=member")
    page.get_by_test_id("pay").click()
    page.get_by_test_id("complete-test-payment").click()
    expect(page).to_have_url(re.compile(r"/billing/success"))


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_main_pages_pass_axe(
    device,
    axe_page,
    axe_phone_page,
    answered_question,
    claimed_order,
    member,
    free_user,
    operator,
    admin,
):
    page = axe_phone_page if device == "phone" else axe_page
    touch = device == "phone"
    question = f"/qa/{answered_question}"
    deal = f"/deals/{new_deal(title='索尼 WH-1000XM5 降噪耳机').id}"

    walk(page, [*VISITOR_PAGES, question, deal], touch)

    log_in(page, free_user.email, PASSWORD)
    walk(page, [question, "/pricing"], touch)
    buy_a_year(page)
    assert_accessible(page, touch=touch)
    assert_chinese_typography(page)
    walk(page, ["/billing", "/qa/ask"], touch)

    page.context.clear_cookies()
    log_in(page, member.email, PASSWORD)
    walk(page, [*MEMBER_PAGES, question, deal], touch)

    page.context.clear_cookies()
    log_in(page, operator.email, PASSWORD)
    walk(
        page,
        [
            *OPERATOR_PAGES,
            f"/operator/rebates/claims/{claimed_order}/accept",
            f"/operator/members/{member.id}",
            question,
            f"{question}/revisions",
        ],
        touch,
    )

    page.context.clear_cookies()
    log_in(page, admin.email, PASSWORD)
    walk(page, ["/operator/tiers"], touch)


def test_tier_perks_are_said_in_words(axe_page):
    axe_page.goto("/pricing")
    free = axe_page.locator(".tier-offer[data-tier='free'] .perks li").first
    member = axe_page.locator(".tier-offer[data-tier='member'] .perks li").first
    # Chinese UI: the state is text in the list item, not only the tick drawn by CSS.
    expect(free).to_have_text(re.compile(r"^不包含：\s*阅读全部回答"))
    expect(member).to_have_text(re.compile(r"^包含：\s*阅读全部回答"))


def test_similar_questions_are_announced(axe_phone_page, answered_question, free_user, member):
    page = axe_phone_page
    log_in(page, member.email, PASSWORD)
    page.goto("/qa/ask")
    live = page.get_by_test_id("similar-live")
    expect(live).to_have_attribute("aria-live", "polite")
    page.locator("#title").press_sequentially("年费能免吗")
    expect(live.locator("a")).to_have_text(["信用卡年费怎么免"])
    assert_accessible(page, touch=True)


def test_the_checks_catch_what_they_look_for(axe_phone_page):
    page = axe_phone_page
    page.set_content('<html lang="zh-CN"><body><main><h1>等级: 会员</h1></main></body></html>')
    with pytest.raises(AssertionError, match="ASCII colon"):
        assert_chinese_typography(page)
    page.set_content(
        '<html lang="zh-CN"><body><main><h1>等级：会员</h1><p style="width:80px">'
        '<span class="nowrap">2026年12月6日 星期日</span></p></main></body></html>'
    )
    with pytest.raises(AssertionError, match="split across lines"):
        assert_chinese_typography(page)
    page.set_content(
        '<html lang="zh-CN"><head><title>页</title></head><body><main><h1>页</h1>'
        '<input type="text"><button style="height:20px">保存</button></main></body></html>'
    )
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)
    page.locator("input").evaluate("element => element.remove()")
    with pytest.raises(AssertionError, match="under 44 px"):
        assert_accessible(page, touch=True)


def test_english_pages_pass_and_speak_english(axe_phone_page, answered_question):
    page = axe_phone_page
    page.goto("/")
    page.locator("button[name=lang][value=en]").click()
    walk(page, ["/", "/qa/", f"/qa/{answered_question}", "/pricing"], touch=True)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tier-offer[data-tier='pro'] h2")).to_have_text("Pro")
    perks = page.locator(".tier-offer[data-tier='free'] .perks li")
    expect(perks.first).to_have_text(re.compile(r"^Not included:\s*Read every answer$"))
    page.goto("/qa/")
    row = page.locator(f"[data-question-id='{answered_question}'] .stat small")
    expect(row).to_have_text(["votes", "answer"])
