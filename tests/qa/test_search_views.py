"""The /search page, /api/v1/search and /qa/similar through real Q&A data, for every viewer."""

from __future__ import annotations

import re

import pytest

from community.accounts.tokens import create_api_token
from community.extensions import db
from tests.qa.search_helpers import (  # noqa: F401 (search_index is an autouse fixture)
    BACKENDS,
    backend_config,
    run_indexer,
    search_index,
)

ANSWER_ONLY = "鲸鱼座暗号"
ANSWER_TEXT = f"只有会员能看到的答案：{ANSWER_ONLY}在此"


@pytest.fixture(params=BACKENDS)
def app_config(app_config, request, database_url):
    return backend_config(app_config, request.param, database_url)


@pytest.fixture
def threads(make_question, make_answer):
    gated = make_question(title="信用卡年费怎么免", body="年费太贵了，有办法免吗？", tags="信用卡")
    make_answer(gated, body=ANSWER_TEXT)
    public = make_question(title="返利什么时候到账", body="返利规则说明", tags="返利", public=True)
    make_answer(public, body="确认收货后七天到账")
    run_indexer()
    return {"gated": gated, "public": public}


def bearer(user) -> dict:
    _token, raw = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_members_get_answer_snippets(client, login, member, threads):
    data = client.get(
        "/api/v1/search", query_string={"q": ANSWER_ONLY}, headers=bearer(member)
    ).get_json()
    assert f"<mark>{ANSWER_ONLY}</mark>" in data["results"][0]["snippet"]
    login(client, member)
    html = client.get("/search", query_string={"q": ANSWER_ONLY}).get_data(as_text=True)
    assert f"<mark>{ANSWER_ONLY}</mark>" in html


def test_operators_preview_as_a_visitor(client, login, operator, threads):
    login(client, operator)
    html = client.get("/search", query_string={"q": ANSWER_ONLY, "preview": "visitor"}).get_data(
        as_text=True
    )
    assert "只有会员能看到" not in html
    assert f'data-question-id="{threads["gated"].id}"' not in html
    assert "只有会员能看到" in client.get("/search", query_string={"q": ANSWER_ONLY}).get_data(
        as_text=True
    )


def test_api_shape_and_public_answers(client, threads):
    data = client.get("/api/v1/search", query_string={"q": "返利", "sort": "newest"}).get_json()
    assert data["total"] == 1 and data["page"] == 1
    result = data["results"][0]
    assert set(result) == {
        "id",
        "external_id",
        "title",
        "url",
        "snippet",
        "tags",
        "answer_count",
        "accepted",
        "featured",
    }
    assert result["url"] == f"http://localhost/qa/{threads['public'].id}"
    assert result["tags"] == ["返利"] and result["answer_count"] == 1
    assert result["external_id"] is None


def test_page_sorts_facets_and_pages(client, threads):
    html = client.get("/search", query_string={"q": "年费 OR 返利", "sort": "votes"})
    assert html.status_code == 200
    page = client.get("/search", query_string={"q": "年费"}).get_data(as_text=True)
    assert 'data-testid="facets"' in page and "信用卡" in page
    assert "<mark>年费</mark>" in page
    assert "1 条结果" in page and 'aria-current="page">相关度' in page
    assert client.get("/search").status_code == 200
    assert client.get("/search", query_string={"q": "年费", "page": 2}).status_code == 200


@pytest.mark.parametrize(
    "args",
    [{"page": "0"}, {"page": "abc"}, {"page": "-1"}, {"sort": "bogus"}, {"q": "长" * 201}],
)
def test_bad_parameters_answer_400_with_a_message(client, threads, args):
    response = client.get("/api/v1/search", query_string={"q": "年费", **args})
    assert response.status_code == 400
    assert response.get_json()["message"]
    page = client.get("/search", query_string={"q": "年费", **args})
    assert page.status_code == 400


def test_similar_questions_give_titles_and_links_only(client, threads):
    data = client.get("/qa/similar", query_string={"title": "年费能免吗"}).get_json()
    assert data["results"] == [{"title": "信用卡年费怎么免", "url": f"/qa/{threads['gated'].id}"}]
    assert client.get("/qa/similar").get_json() == {"results": []}


def test_list_pages_and_ask_form_have_search(client, login, member, threads):
    assert 'action="/search"' in client.get("/qa/").get_data(as_text=True)
    login(client, member)
    ask = client.get("/qa/ask").get_data(as_text=True)
    assert 'data-url="/qa/similar"' in ask
    assert ask.count("js/similar.js") == 1 and "js/similar.js" not in ask.split("</head>")[0]


def test_pages_link_to_each_other(client, threads, monkeypatch):
    from community.qa.search import views as search_views

    monkeypatch.setattr(search_views, "PER_PAGE", 1)
    first = client.get("/search", query_string={"q": "年费 返利"}).get_data(as_text=True)
    second = client.get("/search", query_string={"q": "年费 返利", "page": 2}).get_data(
        as_text=True
    )
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert 'rel="prev"' in second and 'rel="next"' not in second
    ids = {threads["gated"].id, threads["public"].id}
    shown = {int(re.search(r'data-question-id="(\d+)"', html).group(1)) for html in (first, second)}
    assert shown == ids
