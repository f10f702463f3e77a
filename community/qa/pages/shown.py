"""The question as a shared rendering shows it, read through Core: its row, its author's name
and its tags' names, in two prepared statements instead of loading the ORM question.

A shared rendering is for members who neither asked nor answered and for visitors; they see no
curation, so the merged titles and the author's other columns are never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, bindparam, select

from community.accounts.models import User
from community.extensions import db
from community.qa import unrendered
from community.qa.models import Question, Tag, question_tags
from community.qa.models.question import QuestionState


class ShownName(NamedTuple):
    """An author or a tag, as pages show it: by name."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ShownQuestion(QuestionState):
    id: int
    title: str
    # Rendered here when an import left them to the job (qa/unrendered.py).
    body_html: str
    teaser: str
    author_id: int
    author_name: str
    status: str
    close_reason: str
    featured: bool
    public: bool
    pinned: bool
    expert_requested: bool
    approved: bool
    score: int
    answer_count: int
    created_at: datetime
    deleted_at: datetime | None
    tags: tuple[ShownName, ...]
    # Only operators see merged titles, and they never get a shared rendering.
    aliases: tuple = ()

    @property
    def author(self) -> ShownName:
        return ShownName(self.author_id, self.author_name)


ROW_FIELDS = tuple(name for name in ShownQuestion.__slots__ if name not in ("tags", "aliases"))


@cache
def question_statement() -> Select:
    questions, users = Question.__table__, User.__table__
    columns = [
        users.c.name.label(name) if name == "author_name" else questions.c[name]
        for name in ROW_FIELDS
    ]
    return (
        select(*columns)
        .join_from(questions, users, questions.c.author_id == users.c.id)
        .where(questions.c.id == bindparam("question_id"))
    )


@cache
def tags_statement() -> Select:
    tags = Tag.__table__
    return (
        select(tags.c.id, tags.c.name)
        .join_from(question_tags, tags)
        .where(question_tags.c.question_id == bindparam("question_id"))
        .order_by(tags.c.name)
    )


def shown_question(question_id: int) -> ShownQuestion | None:
    connection = db.session.connection()
    parameters = {"question_id": question_id}
    row = connection.execute(question_statement(), parameters).first()
    if row is None:
        return None
    tags = tuple(ShownName(*tag) for tag in connection.execute(tags_statement(), parameters))
    values = row._asdict()
    if values["body_html"] is None or values["teaser"] is None:
        values["body_html"], values["teaser"] = unrendered.question_texts(question_id)
    return ShownQuestion(**values, tags=tags)
