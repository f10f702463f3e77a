"""Search in a real Chromium: similar questions appear while a member types a title, and the
search box above the question lists leads to highlighted results."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from community.extensions import db
from community.qa.services import questions
from community.search.indexer import ensure_index
from community.search.outbox import apply_all
from community.search.service import search_service
from tests.browser.test_qa_flow import log_in


# The live server runs each request in a new thread, and the Whoosh store keeps one searcher per
# thread; those of finished threads are closed by the garbage collector (ResourceWarning).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_similar_questions_while_asking_and_the_search_box(page, member, mallory):
    ensure_index()
    existing = questions.ask_question(mallory, "信用卡年费怎么免", "次年年费要刷满六次。", "信用卡")
    db.session.commit()
    existing_id = existing.id
    apply_all(search_service().backend)
    db.session.commit()

    log_in(page, member.email)
    page.goto("/qa/ask")
    page.locator("#title").press_sequentially("年费能免吗")
    similar = page.locator("#similar-questions")
    expect(similar).to_be_visible()
    expect(similar.locator("a")).to_have_text(["信用卡年费怎么免"])
    expect(similar.locator("a")).to_have_attribute("href", f"/qa/{existing_id}")

    page.goto("/qa/")
    page.locator("#search-q").fill("年费")
    page.locator("#search-q").press("Enter")
    expect(page.locator("[data-testid=search-results] mark").first).to_have_text("年费")
    search_service().backend.close()
