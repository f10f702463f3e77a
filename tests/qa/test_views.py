"""Q&A pages through the test client: forms, buttons, roles and redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.qa.models import Answer, Comment, Flag, Question, QuestionFollow, Vote
from tests.helpers import csrf_from, post_form, zh


def test_a_member_asks_through_the_form(client, login, member):
    login(client, member)
    response = post_form(
        client,
        "/qa/ask",
        {"title": "京东白条分期划算吗", "body": "利率多少？**急**", "tags": "京东 分期"},
    )
    assert response.status_code == 302
    question = db.session.scalar(select(Question))
    assert response.headers["Location"].endswith(f"/qa/{question.id}")
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert "<strong>急</strong>" in page


def test_bad_questions_show_chinese_errors_and_write_nothing(client, login, member, app):
    login(client, member)
    response = post_form(client, "/qa/ask", {"title": "短", "body": "正文", "tags": "a b c d e f"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    with app.test_request_context():
        assert zh("The title needs %(min)d to %(max)d characters.", min=5, max=150) in page
        assert zh("Give %(min)d to %(max)d tags.", min=1, max=5) in page
    assert db.session.scalar(select(func.count(Question.id))) == 0


def test_answer_comment_vote_accept_flow(client, login, member, mallory, make_question):
    question = make_question(author=member)
    login(client, mallory)
    page = f"/qa/{question.id}"
    response = post_form(
        client, f"/qa/{question.id}/answers", {"body": "先打客服电话。"}, page=page
    )
    assert response.status_code == 302
    answer = db.session.scalar(select(Answer))
    token = csrf_from(client.get(page))
    assert (
        client.post(
            f"/qa/{question.id}/vote", data={"csrf_token": token, "value": "up"}
        ).status_code
        == 302
    )
    own = client.post(f"/qa/answers/{answer.id}/vote", data={"csrf_token": token, "value": "up"})
    assert own.status_code == 403
    assert (
        client.post(f"/qa/answers/{answer.id}/accept", data={"csrf_token": token}).status_code
        == 403
    )
    client.post(
        f"/qa/{question.id}/answers/{answer.id}/comments",
        data={"csrf_token": token, "body": "补充一下"},
    )

    login(client, member)
    token = csrf_from(client.get(page))
    assert (
        client.post(f"/qa/answers/{answer.id}/accept", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Answer, answer.id).accepted
    assert db.session.get(Question, question.id).score == 1
    assert db.session.scalar(select(func.count(Comment.id))) == 1
    body = client.get(page).get_data(as_text=True)
    assert 'data-testid="accepted-badge"' in body and "补充一下" in body


def test_empty_answer_is_a_400_with_the_form(client, login, member, make_question):
    question = make_question()
    login(client, member)
    response = post_form(
        client, f"/qa/{question.id}/answers", {"body": "   "}, page=f"/qa/{question.id}"
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_bad_vote_value_is_a_400(client, login, member, make_question):
    question = make_question()
    login(client, member)
    token = csrf_from(client.get(f"/qa/{question.id}"))
    response = client.post(f"/qa/{question.id}/vote", data={"csrf_token": token, "value": "x"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def operator_actions(question, answer):
    return [
        f"/qa/{question.id}/curate/feature",
        f"/qa/{question.id}/curate/pin",
        f"/qa/{question.id}/curate/make_public",
        f"/qa/{question.id}/curate/lock",
        f"/qa/{question.id}/curate/delete",
        f"/qa/answers/{answer.id}/curate/canonical",
        f"/qa/answers/{answer.id}/curate/delete",
        "/qa/review/approval",
    ]


@pytest.mark.parametrize("role", ["visitor", "free", "member", "author"])
def test_only_operators_curate(client, login, free_user, mallory, role, make_question, make_answer):
    question = make_question(author=mallory)
    answer = make_answer(question)
    if role == "free":
        login(client, free_user)
    elif role in ("member", "author"):
        login(client, mallory)
    # A visitor's token comes from a page with a form (their other pages make no session).
    token = csrf_from(client.get("/account/login" if role == "visitor" else "/"))
    for url in operator_actions(question, answer):
        response = client.post(url, data={"csrf_token": token, "enabled": "1"})
        assert response.status_code in (302, 403), url
        if role != "visitor":
            assert response.status_code == 403, url
        else:
            assert "/account/login" in response.headers["Location"]
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert not (question.featured or question.pinned or question.public or question.is_deleted)
    assert question.status == "open"


@pytest.mark.parametrize("role", ["visitor", "free"])
def test_members_actions_are_refused_to_others(
    client, login, free_user, role, make_question, make_answer
):
    question = make_question()
    answer = make_answer(question)
    if role == "free":
        login(client, free_user)
    token = csrf_from(client.get("/account/login" if role == "visitor" else "/"))
    for url, data in (
        (f"/qa/{question.id}/answers", {"body": "回答"}),
        (f"/qa/{question.id}/comments", {"body": "评论"}),
        (f"/qa/{question.id}/vote", {"value": "up"}),
        (f"/qa/answers/{answer.id}/vote", {"value": "up"}),
        (f"/qa/{question.id}/follow", {}),
        (f"/qa/{question.id}/flag", {"reason": "spam"}),
        (f"/qa/answers/{answer.id}/accept", {}),
    ):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 403), url
        if role == "free":
            assert response.status_code == 403, url
    assert db.session.scalar(select(func.count(Answer.id))) == 1
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_operator_curates_and_merge_redirects_301(
    client, login, operator, make_question, make_answer
):
    source, target = make_question(title="淘宝客返利靠谱吗"), make_question(title="返利网站哪个好")
    make_answer(source, body="源问题的回答")
    login(client, operator)
    token = csrf_from(client.get(f"/qa/{target.id}"))
    client.post(f"/qa/{target.id}/curate/feature", data={"csrf_token": token})
    response = post_form(
        client, f"/qa/{source.id}/merge", {"target": f"http://localhost/qa/{target.id}"}
    )
    assert response.status_code == 302
    old = client.get(f"/qa/{source.id}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/qa/{target.id}")
    page = client.get(f"/qa/{target.id}").get_data(as_text=True)
    assert "源问题的回答" in page and 'data-testid="featured-badge"' in page
    report = client.get("/qa/reports/duplicates").get_data(as_text=True)
    assert "返利网站哪个好" in report


def test_merge_into_unknown_question_is_a_400(client, login, operator, make_question):
    question = make_question()
    login(client, operator)
    response = post_form(client, f"/qa/{question.id}/merge", {"target": "99999"})
    assert response.status_code == 400
    assert db.session.get(Question, question.id).status == "open"


def test_deleted_questions_are_404_except_for_operators(
    client, login, operator, member, make_question
):
    question = make_question()
    login(client, operator)
    post_form(client, f"/qa/{question.id}/curate/delete", {}, page=f"/qa/{question.id}")
    assert client.get(f"/qa/{question.id}").status_code == 200
    login(client, member)
    assert client.get(f"/qa/{question.id}").status_code == 404
    assert question.title not in client.get("/qa/").get_data(as_text=True)


def test_close_needs_a_reason(client, login, operator, make_question):
    question = make_question()
    login(client, operator)
    response = post_form(
        client, f"/qa/{question.id}/curate/close", {"reason": " "}, page=f"/qa/{question.id}"
    )
    assert response.status_code == 303
    assert db.session.get(Question, question.id).status == "open"
    post_form(
        client, f"/qa/{question.id}/curate/close", {"reason": "广告"}, page=f"/qa/{question.id}"
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).status == "closed"


def test_revisions_page_and_restore(client, login, operator, member, make_question):
    question = make_question(author=member, body="原始内容")
    login(client, member)
    post_form(
        client,
        f"/qa/{question.id}/edit",
        {"title": question.title, "body": "修改后的内容", "tags": "信用卡"},
    )
    login(client, operator)
    page = client.get(f"/qa/{question.id}/revisions").get_data(as_text=True)
    assert "diff-add" in page and "修改后的内容" in page
    from community.qa.models import Revision

    first = db.session.scalar(select(Revision).where(Revision.number == 1))
    post_form(client, f"/qa/revisions/{first.id}/restore", {}, page=f"/qa/{question.id}/revisions")
    db.session.expire_all()
    assert db.session.get(Question, question.id).body == "原始内容"


def test_flags_reach_the_review_queue(client, login, member, operator, make_question):
    question, original = make_question(), make_question()
    login(client, member)
    response = post_form(
        client,
        f"/qa/{question.id}/flag",
        {"reason": "duplicate", "original": f"#{original.id}"},
        page=f"/qa/{question.id}",
    )
    assert response.status_code == 302
    bad = post_form(
        client, f"/qa/{question.id}/flag", {"reason": "duplicate"}, page=f"/qa/{question.id}"
    )
    assert bad.status_code == 400
    login(client, operator)
    page = client.get("/qa/review").get_data(as_text=True)
    assert page.count('data-testid="flag"') == 1
    flag = db.session.scalar(select(Flag))
    post_form(client, f"/qa/review/flags/{flag.id}/dismissed", {}, page="/qa/review")
    assert 'data-testid="flag"' not in client.get("/qa/review").get_data(as_text=True)


def test_lists_paginate_and_filter_titles(client, make_question, member):
    for n in range(23):
        make_question(author=member, title=f"旅行问题第{n:02d}个")
    make_question(author=member, title="信用卡问题一个")
    first = client.get("/qa/").get_data(as_text=True)
    assert first.count('class="question-row"') == 20 and 'rel="next"' in first
    second = client.get("/qa/?page=2").get_data(as_text=True)
    assert second.count('class="question-row"') == 4
    filtered = client.get("/qa/?q=信用卡").get_data(as_text=True)
    assert filtered.count('class="question-row"') == 1
    assert client.get("/qa/?page=abc").status_code == 200
    assert client.get("/qa/?q=%25_").status_code == 200


def test_unanswered_is_oldest_first_and_hot_follows_votes(
    client, make_question, make_answer, make_user
):
    old, _new, answered = (
        make_question(title="老问题没人回答"),
        make_question(title="新问题没人回答"),
        make_question(),
    )
    make_answer(answered)
    page = client.get("/qa/unanswered").get_data(as_text=True)
    assert page.index("老问题没人回答") < page.index("新问题没人回答")
    assert answered.title not in page
    from community.qa.services import votes

    for _ in range(3):
        votes.cast_vote(make_user(tier="member"), old, "up")
    db.session.commit()
    hot = client.get("/qa/hot").get_data(as_text=True)
    assert hot.index("老问题没人回答") < hot.index("新问题没人回答")


def test_follow_and_followed_list(client, login, member, mallory, make_question):
    question = make_question(author=mallory, tags="育儿")
    login(client, member)
    post_form(client, f"/qa/{question.id}/follow", {"follow": "1"}, page=f"/qa/{question.id}")
    assert db.session.get(QuestionFollow, (member.id, question.id)) is not None
    assert question.title in client.get("/qa/followed").get_data(as_text=True)
    login(client, mallory)
    assert question.title in client.get("/qa/mine").get_data(as_text=True)


def test_tag_alias_redirects_to_the_tag(client, operator, make_question):
    from community.qa.services import tags

    make_question(tags="信用卡")
    tags.alias_tag(operator, tags.tag_named("信用卡"), "credit")
    db.session.commit()
    response = client.get("/qa/tags/credit")
    assert response.status_code == 301
    assert client.get("/qa/tags/nothing").status_code == 404


def test_unknown_question_is_404(client):
    assert client.get("/qa/424242").status_code == 404
    assert client.get("/qa/424242.json").status_code == 404


def test_members_flag_an_answer(client, login, member, make_question, make_answer):
    question = make_question()
    answer = make_answer(question)
    login(client, member)
    page = client.get(f"/qa/{question.id}").get_data(as_text=True)
    assert f"/qa/{question.id}/answers/{answer.id}/flag" in page
    form = client.get(f"/qa/{question.id}/answers/{answer.id}/flag")
    assert form.status_code == 200 and 'data-testid="send-report"' in form.get_data(as_text=True)
    response = post_form(
        client,
        f"/qa/{question.id}/answers/{answer.id}/flag",
        {"reason": "rude", "note": "骂人"},
        page=f"/qa/{question.id}",
    )
    assert response.status_code == 302
    flag = db.session.scalar(select(Flag))
    assert (flag.answer_id, flag.reason, flag.note) == (answer.id, "rude", "骂人")


def test_operators_manage_tags_through_the_page(client, login, operator, mallory, make_question):
    make_question(tags="信用卡 年费")
    make_question(tags="年费减免")
    login(client, mallory)
    assert client.get("/qa/manage/tags").status_code == 403
    login(client, operator)
    page = "/qa/manage/tags"
    ok = post_form(client, page, {"tag": "信用卡", "action": "rename", "name": "credit-card"})
    assert ok.status_code == 302
    post_form(client, page, {"tag": "年费减免", "action": "merge", "name": "年费"})
    bad = post_form(client, page, {"tag": "年费", "action": "merge", "name": "不存在的标签"})
    assert bad.status_code == 400
    clash = post_form(client, page, {"tag": "年费", "action": "alias", "name": "credit-card"})
    assert clash.status_code == 400
    empty = post_form(client, page, {"tag": "年费", "action": "rename", "name": ""})
    assert empty.status_code == 400
    listing = client.get(page).get_data(as_text=True)
    assert 'data-tag="credit-card"' in listing and 'data-tag="年费减免"' not in listing
    assert client.get("/qa/tags/信用卡").status_code == 301


def test_first_post_approval_through_the_queue(client, login, operator, make_user):
    login(client, operator)
    post_form(client, "/qa/review/approval", {"enabled": "1"}, page="/qa/review")
    newcomer = make_user(tier="member")
    login(client, newcomer)
    response = post_form(
        client, "/qa/ask", {"title": "新人第一次提问题", "body": "正文", "tags": "新人"}
    )
    question = db.session.scalar(select(Question))
    assert response.status_code == 302 and not question.approved
    assert client.get(f"/qa/{question.id}").status_code == 200  # the author sees it waiting
    assert question.title not in client.get("/qa/").get_data(as_text=True)
    assert question.title in client.get("/qa/mine").get_data(as_text=True)
    login(client, make_user(tier="member"))
    assert client.get(f"/qa/{question.id}").status_code == 404
    login(client, operator)
    assert 'data-testid="pending"' in client.get("/qa/review").get_data(as_text=True)
    post_form(
        client, f"/qa/{question.id}/curate/approve", {"next_page": "review"}, page="/qa/review"
    )
    db.session.expire_all()
    assert db.session.get(Question, question.id).approved
    log = client.get("/qa/review").get_data(as_text=True)
    assert "approve_question" in log and "first_post_approval_on" in log


def test_admins_mark_experts(client, login, admin, operator, member):
    login(client, operator)
    assert client.get("/qa/experts").status_code == 403
    login(client, admin)
    post_form(client, "/qa/experts", {"user_id": str(member.id), "expert": "1"})
    assert member.email in client.get("/qa/experts").get_data(as_text=True)
    assert post_form(client, "/qa/experts", {"user_id": "99999", "expert": "1"}).status_code == 404


def test_a_vote_sent_twice_at_once_is_a_409(client, login, member, make_question, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from community.qa.services import votes

    question = make_question()
    login(client, member)
    token = csrf_from(client.get(f"/qa/{question.id}"))

    def collide(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(db.session, "commit", collide)
    monkeypatch.setattr(votes, "cast_vote", lambda *args: 1)
    response = client.post(f"/qa/{question.id}/vote", data={"csrf_token": token, "value": "up"})
    assert response.status_code == 409
