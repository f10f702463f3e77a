"""Deleted and waiting posts are gone for everyone but their people: every action on them is 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.clock import utcnow
from community.extensions import db
from community.qa.access import PostMissing
from community.qa.models import Comment, Flag, Vote
from community.qa.services import answers, moderation, votes
from tests.helpers import csrf_from, zh

HIDE = {
    "deleted answer": ("answer", "deleted_at"),
    "waiting answer": ("answer", "approved"),
    "deleted question": ("question", "deleted_at"),
    "waiting question": ("question", "approved"),
}
ANSWER_ACTIONS = {
    "comment on the answer": ("/qa/{q}/answers/{a}/comments", {"body": "补充一句"}),
    "vote on the answer": ("/qa/answers/{a}/vote", {"value": "up"}),
    "flag the answer": ("/qa/{q}/answers/{a}/flag", {"reason": "spam"}),
}
QUESTION_ACTIONS = {
    "comment on the question": ("/qa/{q}/comments", {"body": "补充一句"}),
    "vote on the question": ("/qa/{q}/vote", {"value": "up"}),
    "flag the question": ("/qa/{q}/flag", {"reason": "spam"}),
}
CASES = [
    (hidden, action)
    for hidden, (post, _column) in HIDE.items()
    for action in [*ANSWER_ACTIONS, *(QUESTION_ACTIONS if post == "question" else ())]
]


def hide(post, column: str) -> None:
    setattr(post, column, utcnow() if column == "deleted_at" else False)
    db.session.commit()


def written() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count(model.id))) for model in (Comment, Vote, Flag))


@pytest.fixture
def thread(member, make_user, make_question, make_answer):
    question = make_question(author=member)
    answer = make_answer(question, author=make_user(tier="member"))
    return question, answer


@pytest.mark.parametrize(("hidden", "action"), CASES)
def test_actions_on_a_hidden_post_answer_404(client, login, mallory, thread, hidden, action):
    question, answer = thread
    post, column = HIDE[hidden]
    hide(question if post == "question" else answer, column)
    url, data = {**ANSWER_ACTIONS, **QUESTION_ACTIONS}[action]
    url = url.format(q=question.id, a=answer.id)
    login(client, mallory)
    token = csrf_from(client.get("/qa/"))
    before = written()
    response = client.post(url, data={"csrf_token": token, **data})
    assert response.status_code == 404, response.status_code
    assert zh("Page not found") in response.get_data(as_text=True)
    if "flag" in action:
        assert client.get(url).status_code == 404
    db.session.expire_all()
    assert written() == before


def test_an_answer_is_reached_only_through_its_own_question(
    client, login, mallory, thread, make_question
):
    _question, answer = thread
    elsewhere = make_question()
    login(client, mallory)
    token = csrf_from(client.get("/qa/"))
    response = client.post(
        f"/qa/{elsewhere.id}/answers/{answer.id}/comments",
        data={"csrf_token": token, "body": "补充一句"},
    )
    assert response.status_code == 404
    assert written() == (0, 0, 0)


def test_the_author_of_a_waiting_answer_still_comments_on_it(client, login, thread):
    question, answer = thread
    hide(answer, "approved")
    login(client, answer.author)
    token = csrf_from(client.get(f"/qa/{question.id}"))
    response = client.post(
        f"/qa/{question.id}/answers/{answer.id}/comments",
        data={"csrf_token": token, "body": "补充一句"},
    )
    assert response.status_code == 302
    assert written() == (1, 0, 0)


@pytest.mark.parametrize("hidden", list(HIDE))
def test_services_refuse_posts_the_actor_cannot_see(mallory, thread, hidden):
    question, answer = thread
    post, column = HIDE[hidden]
    hide(question if post == "question" else answer, column)
    with pytest.raises(PostMissing):
        votes.cast_vote(mallory, answer, "up")
    with pytest.raises(PostMissing):
        answers.add_comment(mallory, question, "补充一句", answer)
    with pytest.raises(PostMissing):
        moderation.flag_post(mallory, question, "spam", answer=answer)
    db.session.rollback()
    assert written() == (0, 0, 0)
