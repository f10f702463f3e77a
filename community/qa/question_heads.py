"""What every view of a question page asks first, in one statement: the question's own row (is it
shown, in which version) and the viewer's votes and follow on it.

A member's page is mostly served from a shared rendering (question_rendering.py), so this row is
all the database is asked about the question itself; it is read through Core, without loading an
ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, and_, bindparam, exists, select

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
    """One row per vote of the viewer on the question's answers (one row if none)."""
    questions, votes, answers = Question.__table__, Vote.__table__, Answer.__table__
    follows = QuestionFollow.__table__
    viewer = bindparam("user_id")
    question_vote = (
        select(votes.c.value)
        .where(votes.c.user_id == viewer, votes.c.question_id == questions.c.id)
        .scalar_subquery()
    )
    following = exists().where(follows.c.user_id == viewer, follows.c.question_id == questions.c.id)
    answer_votes = votes.alias("answer_votes")
    voted_answers = answers.join(
        answer_votes,
        and_(answer_votes.c.answer_id == answers.c.id, answer_votes.c.user_id == viewer),
    )
    return (
        select(
            questions.c.status,
            questions.c.approved,
            questions.c.deleted_at.is_not(None).label("is_deleted"),
            questions.c.public,
            questions.c.author_id,
            questions.c.render_version,
            question_vote.label("question_vote"),
            following.label("following"),
            answers.c.id.label("answer_id"),
            answer_votes.c.value.label("answer_vote"),
        )
        .select_from(questions.outerjoin(voted_answers, answers.c.question_id == questions.c.id))
        .where(questions.c.id == bindparam("question_id"))
    )


def question_head(question_id: int, user_id: int | None) -> QuestionHead | None:
    """The question's head for this viewer (None for no viewer: no votes), or None if missing."""
    rows = (
        db.session.connection()
        .execute(head_statement(), {"question_id": question_id, "user_id": user_id})
        .all()
    )
    if not rows:
        return None
    first = rows[0]
    votes = {str(row.answer_id): row.answer_vote for row in rows if row.answer_id is not None}
    if first.question_vote is not None:
        votes["q"] = first.question_vote
    return QuestionHead(
        id=question_id,
        status=first.status,
        approved=bool(first.approved),
        is_deleted=bool(first.is_deleted),
        public=bool(first.public),
        author_id=first.author_id,
        render_version=first.render_version,
        votes=votes,
        following=bool(first.following),
    )
