"""Q&A fixtures: questions and answers made through the services, as members would."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.services import answers, questions


@pytest.fixture
def make_question(app, make_user):
    """Ask a question through the service; `author=` defaults to a fresh paying member."""
    counter = {"n": 0}

    def make(author=None, title=None, body="正文内容，够长的描述。", tags="信用卡 年费", **flags):
        counter["n"] += 1
        author = author or make_user(tier="member")
        question = questions.ask_question(
            author, title or f"第{counter['n']}个问题：信用卡年费怎么免", body, tags
        )
        for name, value in flags.items():
            setattr(question, name, value)
        db.session.commit()
        return question

    return make


@pytest.fixture
def make_answer(app, make_user):
    def make(question, author=None, body="这是一条回答，说得很清楚。"):
        author = author or make_user(tier="member")
        answer = answers.post_answer(author, question, body)
        db.session.commit()
        return answer

    return make


@pytest.fixture
def reader(app, login, make_user):
    """A second member's client (neither asker nor answerer) and the member."""
    user = make_user(tier="member")
    client = app.test_client()
    login(client, user)
    return client, user
