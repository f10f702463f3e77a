"""What every view of a question page asks first, in one statement: the question's own row (is it
shown, in which version) and the viewer's votes and follow on it.

A member's page is mostly served from a shared rendering (pages/question.py), so this row is
all the database is asked about the question itself; it is read through Core, without loading an
ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, String, bindparam, cast, exists, func, literal, select

from community.extensions import db
from community.qa.models import Answer, Question, QuestionFollow, QuestionStatus, Vote


@dataclass(frozen=True)
class QuestionHead:
    id: int
    status: str
    approved: bool
    is_deleted: bool
    public: bool
    author_id: int
    render_version: int
    # The viewer's votes ({"q": value} for the question, {"<answer id>": value}) and follow.
    votes: dict[str, int]
    following: bool

    @property
    def is_duplicate(self) -> bool:
        return self.status == QuestionStatus.DUPLICATE


@cache
def head_statement() -> Select:
    """The question's row with the viewer's vote on it, their votes on its answers ("12:1,15:-1")
    and whether they follow it."""
    questions, votes, answers = Question.__table__, Vote.__table__, Answer.__table__
    follows = QuestionFollow.__table__
    viewer = bindparam("user_id")
    question_vote = (
        select(votes.c.value)
        .where(votes.c.user_id == viewer, votes.c.question_id == questions.c.id)
        .scalar_subquery()
    )
    answer_vote = (
        select(votes.c.value)
        .where(votes.c.user_id == viewer, votes.c.answer_id == answers.c.id)
        .scalar_subquery()
    )
    # Driven by the question's answers, each looked up by its unique (viewer, answer) key;
    # answers without a vote add NULL, which the aggregate skips.
    answer_votes = (
        select(
            func.aggregate_strings(
                cast(answers.c.id, String) + literal(":") + cast(answer_vote, String), ","
            )
        )
        .where(answers.c.question_id == questions.c.id)
        .scalar_subquery()
    )
    following = exists().where(follows.c.user_id == viewer, follows.c.question_id == questions.c.id)
    return select(
        questions.c.status,
        questions.c.approved,
        questions.c.deleted_at.is_not(None).label("is_deleted"),
        questions.c.public,
        questions.c.author_id,
        questions.c.render_version,
        question_vote.label("question_vote"),
        answer_votes.label("answer_votes"),
        following.label("following"),
    ).where(questions.c.id == bindparam("question_id"))


def question_head(question_id: int, user_id: int | None) -> QuestionHead | None:
    """The question's head for this viewer (None for no viewer: no votes), or None if missing."""
    row = (
        db.session.connection()
        .execute(head_statement(), {"question_id": question_id, "user_id": user_id})
        .first()
    )
    if row is None:
        return None
    votes = {}
    for vote in row.answer_votes.split(",") if row.answer_votes else ():
        answer_id, _, value = vote.partition(":")
        votes[answer_id] = int(value)
    if row.question_vote is not None:
        votes["q"] = row.question_vote
    return QuestionHead(
        id=question_id,
        status=row.status,
        approved=bool(row.approved),
        is_deleted=bool(row.is_deleted),
        public=bool(row.public),
        author_id=row.author_id,
        render_version=row.render_version,
        votes=votes,
        following=bool(row.following),
    )
