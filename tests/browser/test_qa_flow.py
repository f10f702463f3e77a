"""The Q&A in a real Chromium: ask, answer, accept; an operator curates and merges a duplicate."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from community.extensions import db
from community.qa.models import Question
from community.qa.services import questions
from tests.conftest import PASSWORD


def log_in(page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.get_by_test_id("logout")).to_have_count(1)


def question_titled(title: str) -> Question:
    db.session.rollback()
    return db.session.scalar(select(Question).where(Question.title == title))


def test_ask_answer_accept_feature_and_merge(page, live_server, member, mallory, operator):
    duplicate = questions.ask_question(mallory, "返利订单总是跟踪不到怎么办", "同上。", "返利")
    db.session.commit()
    duplicate_id = duplicate.id

    # A member asks.
    log_in(page, member.email)
    page.goto("/qa/ask")
    page.locator("#title").fill("返利订单为什么没有跟踪到")
    page.locator("#body").fill("昨天下单，**一直**没有订单。")
    page.locator("#tags").fill("返利 淘宝客")
    page.get_by_test_id("post-question").click()
    expect(page).to_have_url(re.compile(r"/qa/\d+$"))
    expect(page.get_by_test_id("question-body").locator("strong")).to_have_text("一直")
    question_url = page.url

    # Another member answers.
    log_in(page, mallory.email)
    page.goto(question_url)
    page.locator("#body").fill("下单前先从返利链接进入，别用购物车里的旧商品。")
    page.get_by_test_id("post-answer").click()
    expect(page.get_by_test_id("answer")).to_have_count(1)
    expect(page.get_by_test_id("accept")).to_have_count(0)

    # The asker accepts it.
    log_in(page, member.email)
    page.goto(question_url)
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("accepted-badge")).to_be_visible()

    # An operator marks it 精华 and merges the duplicate into it.
    log_in(page, operator.email)
    page.goto(question_url)
    page.get_by_test_id("feature").click()
    expect(page.get_by_test_id("featured-badge")).to_be_visible()
    target_id = question_titled("返利订单为什么没有跟踪到").id
    page.goto(f"/qa/{duplicate_id}")
    page.get_by_test_id("merge-link").click()
    page.locator("#target").fill(question_url)
    page.get_by_test_id("merge").click()
    expect(page).to_have_url(re.compile(rf"/qa/{target_id}$"))

    # The old URL lands on the target.
    page.goto(f"/qa/{duplicate_id}")
    expect(page).to_have_url(re.compile(rf"/qa/{target_id}$"))
    expect(page.locator("h1")).to_have_text("返利订单为什么没有跟踪到")
