"""The question page's links and labels are built once per page, and match url_for exactly."""

from __future__ import annotations

from flask import url_for

from community.qa.pages.labels import qa_labels, question_url, tag_url, url_with_id


def test_links_built_once_match_url_for(app):
    with app.test_request_context("/qa/1"):
        vote, flag = (
            url_with_id("qa.vote_answer", "answer_id"),
            url_with_id("qa.flag", "answer_id", question_id=7),
        )
        for number in (1, 42, 9_007_199_254_740_990):
            assert vote(number) == url_for("qa.vote_answer", answer_id=number)
            assert flag(number) == url_for("qa.flag", question_id=7, answer_id=number)
            assert question_url(number) == url_for("qa.show", question_id=number)
        for name in ("信用卡", "c++", "a/b", "50% off"):
            assert tag_url(name) == url_for("qa.tag", name=name)


def labels_for(app, language: str) -> dict:
    with app.app_context(), app.test_request_context("/qa/", headers={"Accept-Language": language}):
        return qa_labels()


def test_labels_follow_the_language_of_each_request(app):
    assert labels_for(app, "en")["report"] == "Report"
    assert labels_for(app, "zh-CN")["report"] == "举报"
    assert labels_for(app, "en")["report"] == "Report"


def test_answer_links_on_the_page(client, login, make_user, make_question, make_answer):
    asker, reader = make_user(tier="member"), make_user(tier="member")
    question = make_question(author=asker)
    answer = make_answer(question)
    login(client, reader)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert f'action="/qa/answers/{answer.id}/vote"' in page
    assert f'action="/qa/{question.id}/answers/{answer.id}/comments"' in page
    assert f'href="/qa/{question.id}/answers/{answer.id}/flag"' in page
    assert f"/qa/answers/{answer.id}/accept" not in page
    assert f"/qa/answers/{answer.id}/edit" not in page
    login(client, asker)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert f'action="/qa/answers/{answer.id}/accept"' in page
