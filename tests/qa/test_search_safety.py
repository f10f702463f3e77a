"""Search never tells visitors and free users what they may not read: matching uses only what is
open to them, and who may read a hit comes from the database at query time, not the index."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from community.accounts.tokens import create_api_token
from community.extensions import db
from community.qa.services import curation
from community.search.models import SearchChange
from tests.qa.search_helpers import (  # noqa: F401 (search_index is an autouse fixture)
    BACKENDS,
    backend_config,
    run_indexer,
    search_index,
)

SECRET = "鲸鱼座暗号"
ANSWER = f"只有会员能看到的答案：{SECRET}在此，别外传"
SHOWN_OF_ANSWER = "只有会员能看到"
FACET = re.compile(r'<a class="tag" href="[^"]*">([^<]+) <small>(\d+)</small></a>')
# A phrase of the answer and a word of it, alone or with filters: they find nothing for those
# who may not read it.
HIDDEN_ONLY = [f'"{SECRET}在此"', SECRET, f"[信用卡] {SECRET}", f"is:accepted {SECRET}"]
# With words open to all, which find the question by its title.
WITH_OPEN_WORDS = [f"年费 {SECRET}", f'信用卡 "{SECRET}在此"']


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request, database_url):
    return backend_config(app_config, request.param, database_url)


def bearer(user) -> dict:
    _token, raw = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def observed(client, headers: dict, query: str) -> dict:
    """All a searcher learns of a query: the page's total and facets, the API's total and ids,
    and the similar questions for it as a title."""
    page = client.get("/search", query_string={"q": query})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    block = html.split('data-testid="facets"', 1)
    facets = block[1].split("</p>", 1)[0] if len(block) == 2 else ""
    api = client.get("/api/v1/search", query_string={"q": query}, headers=headers).get_json()
    similar = client.get("/qa/similar", query_string={"title": query}).get_json()
    return {
        "page_total": int(re.search(r'data-testid="total">(\d+)', html).group(1)),
        "page_facets": FACET.findall(facets),
        "api": (api["total"], [result["id"] for result in api["results"]]),
        "similar": similar["results"],
        "leaked": SHOWN_OF_ANSWER in html or SHOWN_OF_ANSWER in str(api),
    }


def test_a_members_only_answer_is_no_oracle_for_visitors_and_free_users(
    app, login, member, free_user, make_question, make_answer
):
    gated = make_question(title="信用卡年费怎么免", body="年费太贵了，有办法免吗？", tags="信用卡")
    make_question(title="返利什么时候到账", body="返利规则说明", tags="返利", public=True)
    run_indexer()
    searchers = {"visitor": (app.test_client(), {}), "free": (app.test_client(), bearer(free_user))}
    login(searchers["free"][0], free_user)
    before = {
        (who, query): observed(client, headers, query)
        for who, (client, headers) in searchers.items()
        for query in HIDDEN_ONLY + WITH_OPEN_WORDS
    }

    make_answer(gated, body=ANSWER)
    run_indexer()

    member_client = app.test_client()
    login(member_client, member)
    seen = observed(member_client, bearer(member), f'"{SECRET}在此"')
    assert seen["api"] == (1, [gated.id]) and seen["page_total"] == 1
    assert seen["page_facets"] == [("信用卡", "1")]
    assert [result["title"] for result in seen["similar"]] == ["信用卡年费怎么免"]
    for (who, query), earlier in before.items():
        client, headers = searchers[who]
        now = observed(client, headers, query)
        assert now == earlier, (who, query)
        assert not now["leaked"], (who, query)
        if query in HIDDEN_ONLY:
            assert now["api"] == (0, []) and now["page_total"] == 0, (who, query)
            assert now["page_facets"] == [] and now["similar"] == [], (who, query)
        elif query.startswith("年费"):
            assert now["api"] == (1, [gated.id]), (who, query)


def outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def searchers(app, login, member) -> dict:
    member_client = app.test_client()
    login(member_client, member)
    return {"visitor": app.test_client(), "member": member_client}


def test_a_question_made_private_shows_no_answer_while_the_indexer_is_stopped(
    app, client, login, operator, member, make_question, make_answer
):
    question = make_question(title="信用卡年费能退吗", body="刚交完，想问问", public=True)
    make_answer(question, body=f"{SHOWN_OF_ANSWER}：信用卡年费打客服电话就能退")
    run_indexer()
    assert SHOWN_OF_ANSWER in str(
        client.get("/api/v1/search", query_string={"q": "信用卡年费"}).json
    )

    curation.set_flag(operator, question, "make_private")
    db.session.commit()
    assert outbox_rows() == 1  # not applied: the index still says it is public

    for reader, searcher in searchers(app, login, member).items():
        data = searcher.get("/api/v1/search", query_string={"q": "信用卡年费"}).get_json()
        page = searcher.get("/search", query_string={"q": "信用卡年费"}).get_data(as_text=True)
        assert [result["id"] for result in data["results"]] == [question.id], reader
        shown = SHOWN_OF_ANSWER in str(data) or SHOWN_OF_ANSWER in page
        assert shown == (reader == "member"), reader


def test_deleted_unapproved_and_merged_questions_leave_results_while_the_indexer_is_stopped(
    app, login, operator, member, make_question
):
    kept = make_question(title="信用卡年费能退吗")
    deleted = make_question(title="信用卡年费一定要交吗")
    unapproved = make_question(title="信用卡年费为什么涨了")
    merged = make_question(title="信用卡年费能分期吗")
    target = make_question(title="年费可以分期付吗")
    run_indexer()

    curation.delete_question(operator, deleted)
    unapproved.approved = False
    curation.merge_duplicate(operator, merged, target)
    db.session.commit()
    assert outbox_rows() >= 3  # nothing applied: the index still holds all three

    gone = {deleted.id, unapproved.id, merged.id}
    for reader, searcher in searchers(app, login, member).items():
        data = searcher.get("/api/v1/search", query_string={"q": "信用卡年费"}).get_json()
        ids = {result["id"] for result in data["results"]}
        assert kept.id in ids and not gone & ids, reader
        page = searcher.get("/search", query_string={"q": "信用卡年费"}).get_data(as_text=True)
        assert not any(f'data-question-id="{gone_id}"' in page for gone_id in gone), reader
        similar = searcher.get("/qa/similar", query_string={"title": "信用卡年费"}).get_json()
        urls = {result["url"] for result in similar["results"]}
        assert f"/qa/{kept.id}" in urls and not {f"/qa/{gone_id}" for gone_id in gone} & urls
