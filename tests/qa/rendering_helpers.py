"""Helpers the shared-rendering tests share: a question page as a client sees it, the cache's
entries, a question's render version, and the kinds of change a page shows."""

from __future__ import annotations

import re

from community.accounts.services import update_profile
from community.extensions import db
from community.qa.models import Question
from community.qa.services import answers, curation, tags, votes
from community.qa.services import questions as question_service

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def page(client, question) -> str:
    response = client.get(f"/qa/{question.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def shared_entries(app, name: str = "questions") -> int:
    caches = app.extensions["renderings"]["caches"]
    return len(caches[name].memory.entries) if name in caches else 0


def version_of(question) -> int:
    return db.session.scalar(db.select(Question.render_version).where(Question.id == question.id))


CHANGES = {
    "answer": lambda q, actor, op: answers.post_answer(actor, q, "新的回答：先打电话问客服。"),
    "comment": lambda q, actor, op: answers.add_comment(actor, q, "新的评论：我也想知道。"),
    "edit": lambda q, actor, op: question_service.edit_question(
        q.author, q, "改过的标题：年费怎么免", q.body, "信用卡"
    ),
    "vote": lambda q, actor, op: votes.cast_vote(actor, q, "up"),
    "feature": lambda q, actor, op: curation.set_flag(op, q, "feature"),
    "close": lambda q, actor, op: curation.close_question(op, q, "已经说清楚了"),
    "rename author": lambda q, actor, op: update_profile(q.author, "改名后的提问者", None),
    "rename tag": lambda q, actor, op: tags.rename_tag(op, q.tags[0], "改名标签"),
}
