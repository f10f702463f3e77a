"""Counts read right in English ("1 answer", "2 answers"), and the comment box tells the limit
the service enforces, whatever the line breaks."""

from __future__ import annotations

import re

from community.qa.services.answers import COMMENT_MAX
from tests.helpers import csrf_from

ENGLISH = {"Accept-Language": "en"}


def row_words(html: str, question_id: int) -> list[str]:
    row = re.search(rf'data-question-id="{question_id}".*?</li>', html, re.S).group(0)
    return re.findall(r"<small>([^<]+)</small>", row)


def test_list_rows_and_search_say_one_answer_and_two_answers(
    client, make_question, make_answer, member
):
    single = make_question(title="信用卡年费怎么免")
    double = make_question(title="信用卡积分怎么换")
    make_answer(single)
    make_answer(double)
    make_answer(double)

    english = client.get("/qa/", headers=ENGLISH).get_data(as_text=True)
    assert row_words(english, single.id) == ["votes", "answer"]
    assert row_words(english, double.id) == ["votes", "answers"]
    chinese = client.get("/qa/").get_data(as_text=True)
    assert row_words(chinese, single.id) == ["票", "回答"]
    assert row_words(chinese, double.id) == ["票", "回答"]


def test_the_comment_hint_is_the_services_limit(client, login, make_question, make_answer):
    question = make_question()
    make_answer(question)
    login(client, question.author)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert page.count(f'maxlength="{COMMENT_MAX}"') == 2
    assert f"最多使用 {COMMENT_MAX} 个字符" in page
    english = client.get(f"/qa/{question.id}", headers=ENGLISH).get_data(as_text=True)
    assert f"Use at most {COMMENT_MAX} characters." in english


def test_a_comment_at_the_limit_is_taken_even_with_crlf_line_breaks(client, login, make_question):
    question = make_question()
    login(client, question.author)
    url = f"/qa/{question.id}/comments"
    lines = ["评" * 59] * 10  # 590 characters and 9 line breaks: 599 characters
    at_limit = "\r\n".join(lines) + "好"
    token = csrf_from(client.get(f"/qa/{question.id}"))
    assert client.post(url, data={"csrf_token": token, "body": at_limit}).status_code == 302
    over = client.post(url, data={"csrf_token": token, "body": "长" * (COMMENT_MAX + 1)})
    assert over.status_code == 400
    assert f"最多使用 {COMMENT_MAX} 个字符" in over.get_data(as_text=True)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert at_limit.replace("\r\n", "\n")[:59] in page
    assert "长" * (COMMENT_MAX + 1) not in page
