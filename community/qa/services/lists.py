"""The question lists and the question page's data, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defer, joinedload, selectinload

from community.accounts.models import User
from community.extensions import db
from community.qa import unrendered
from community.qa.access import Viewer
from community.qa.models import (
    Answer,
    Comment,
    Question,
    QuestionFollow,
    QuestionStatus,
    Tag,
    TagFollow,
    question_tags,
)

PAGE_SIZE = 20


@dataclass
class Page:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def listed(include_pending: bool = False) -> Select:
    """Questions a list may show: live, not merged away, and approved unless asked otherwise."""
    query = select(Question).where(
        Question.deleted_at.is_(None), Question.status != QuestionStatus.DUPLICATE
    )
    return query if include_pending else query.where(Question.approved)


def row_options(with_body: bool = False) -> tuple:
    """Rows show their author's name only, so that is all that is loaded of the author."""
    bodies = () if with_body else (defer(Question.body), defer(Question.body_html))
    return (
        joinedload(Question.author).load_only(User.id, User.name),
        selectinload(Question.tags),
        *bodies,
    )


def list_query(kind: str, user_id: int | None = None, tag_id=None) -> Select:
    """The rows of list `kind`, in order; `tag_id` (a value or a bound parameter) narrows it."""
    # Authors see their own questions while they wait for approval.
    query = listed(include_pending=kind == "mine")
    if tag_id is not None:
        query = query.where(
            Question.id.in_(
                select(question_tags.c.question_id).where(question_tags.c.tag_id == tag_id)
            )
        )
    if kind == "unanswered":
        return query.where(
            Question.answer_count == 0, Question.status == QuestionStatus.OPEN
        ).order_by(Question.created_at, Question.id)
    if kind == "featured":
        return query.where(Question.featured).order_by(
            Question.created_at.desc(), Question.id.desc()
        )
    if kind == "hot":
        return query.order_by(Question.hot_rank.desc(), Question.id.desc())
    if kind == "mine":
        return query.where(Question.author_id == user_id).order_by(Question.created_at.desc())
    if kind == "followed":
        followed_questions = select(QuestionFollow.question_id).where(
            QuestionFollow.user_id == user_id
        )
        followed_tags = select(question_tags.c.question_id).where(
            question_tags.c.tag_id.in_(select(TagFollow.tag_id).where(TagFollow.user_id == user_id))
        )
        return query.where(
            Question.id.in_(followed_questions) | Question.id.in_(followed_tags),
            Question.author_id != user_id,
        ).order_by(Question.updated_at.desc(), Question.id.desc())
    return query.order_by(Question.pinned.desc(), Question.created_at.desc(), Question.id.desc())


def question_list(
    kind: str,
    page: int = 1,
    *,
    user_id: int | None = None,
    tag: Tag | None = None,
    title_filter: str = "",
    per_page: int = PAGE_SIZE,
    with_body: bool = False,
) -> Page:
    query = list_query(kind, user_id, tag.id if tag else None)
    if title_filter:
        escaped = title_filter.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Question.title.ilike(f"%{escaped}%", escape="\\"))
    page = max(1, page)
    query = query.options(*row_options(with_body))
    rows = list(
        db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).unique()
    )
    unrendered.fill_teasers(rows)
    return Page(items=rows[:per_page], number=page, has_next=len(rows) > per_page)


@cache
def versions_statement(kind: str, tagged: bool) -> Select:
    """Prepared once per list: its rows' ids and render versions, one page at a time."""
    query = list_query(kind, tag_id=bindparam("tag_id") if tagged else None)
    return (
        query.with_only_columns(Question.id, Question.render_version)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


def list_versions(
    kind: str, page: int = 1, *, tag: Tag | None = None, per_page: int = PAGE_SIZE
) -> list[tuple[int, int]]:
    """(id, render version) of a shared list page's rows, and of the first row after it.

    Together they name everything the page shows: which rows, in what order, in which version.
    """
    parameters = {"offset": (max(1, page) - 1) * per_page, "limit": per_page + 1}
    if tag is not None:
        parameters["tag_id"] = tag.id
    rows = db.session.connection().execute(versions_statement(kind, tag is not None), parameters)
    return [tuple(row) for row in rows]


def questions_in_order(ids: list[int]) -> list[Question]:
    """List rows for these question ids, in the order given."""
    found = db.session.scalars(
        select(Question).options(*row_options()).where(Question.id.in_(ids))
    ).unique()
    by_id = {question.id: question for question in found}
    unrendered.fill_teasers(by_id.values())
    return [by_id[question_id] for question_id in ids if question_id in by_id]


# What a question page loads with the question: its author (joined) and its tags (by the
# question's key; joined, SQLite would build the whole tag join for every question).
QUESTION_OPTIONS = (selectinload(Question.tags), joinedload(Question.author))


@dataclass(frozen=True, slots=True)
class ShownAnswer:
    """An answer as the question page shows it: a row, as pages only read answers."""

    id: int
    author_id: int
    author_name: str
    # Rendered by `question_page` when an import left it to the job (qa/unrendered.py).
    body_html: str
    score: int
    accepted: bool
    canonical: bool
    by_expert: bool
    approved: bool
    created_at: datetime
    deleted_at: datetime | None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class ShownComment:
    id: int
    answer_id: int | None
    author_name: str
    body: str
    created_at: datetime


def shown_columns(model, names: tuple[str, ...]):
    """The columns of `model`'s table named (in a Shown* row's order), and the author's name."""
    table = model.__table__
    return [
        User.__table__.c.name.label("author_name") if name == "author_name" else table.c[name]
        for name in names
    ]


ANSWERS_SHOWN = (
    select(*shown_columns(Answer, ShownAnswer.__slots__))
    .join_from(Answer.__table__, User.__table__)
    .where(Answer.__table__.c.question_id == bindparam("question_id"))
)
COMMENTS_SHOWN = (
    select(*shown_columns(Comment, ShownComment.__slots__))
    .join_from(Comment.__table__, User.__table__)
    .where(
        Comment.__table__.c.question_id == bindparam("question_id"),
        Comment.__table__.c.deleted_at.is_(None),
    )
    .order_by(Comment.__table__.c.created_at, Comment.__table__.c.id)
)


@dataclass
class QuestionPage:
    question: Question
    readable: bool
    answers: list[ShownAnswer] = field(default_factory=list)
    comments: dict[int | None, list[ShownComment]] = field(default_factory=dict)
    # Everyone who answered, even answers this viewer is not shown (waiting or deleted).
    answerers: set[int] = field(default_factory=set)


def answer_order(answer: ShownAnswer) -> tuple:
    return (not answer.canonical, not answer.accepted, -answer.score, answer.created_at, answer.id)


def question_page(question: Question, viewer: Viewer) -> QuestionPage:
    """What the question page shows this viewer; nothing behind the paywall is loaded for them.

    Answers and comments are read as rows with their authors' names (all the page shows of
    them), in two prepared statements.
    """
    readable = viewer.may_read(question)
    result = QuestionPage(question=question, readable=readable)
    if not readable:
        return result
    connection = db.session.connection()
    parameters = {"question_id": question.id}
    answers = [ShownAnswer(*row) for row in connection.execute(ANSWERS_SHOWN, parameters)]
    result.answerers = {answer.author_id for answer in answers}
    shown = [answer for answer in answers if viewer.sees(answer)]
    waiting = unrendered.answers_html([a.id for a in shown if a.body_html is None])
    shown = [replace(a, body_html=waiting[a.id]) if a.id in waiting else a for a in shown]
    result.answers = sorted(shown, key=answer_order)
    grouped = defaultdict(list)
    for row in connection.execute(COMMENTS_SHOWN, parameters):
        comment = ShownComment(*row)
        grouped[comment.answer_id].append(comment)
    result.comments = grouped
    return result
