"""The question lists and the question page's data, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import defer, joinedload, selectinload

from community.accounts.models import User
from community.extensions import db
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
    rows = db.session.execute(versions_statement(kind, tag is not None), parameters)
    return [tuple(row) for row in rows]


def questions_in_order(ids: list[int]) -> list[Question]:
    """List rows for these question ids, in the order given."""
    found = db.session.scalars(
        select(Question).options(*row_options()).where(Question.id.in_(ids))
    ).unique()
    by_id = {question.id: question for question in found}
    return [by_id[question_id] for question_id in ids if question_id in by_id]


# What a question page loads with the question: its author's row and its tags.
QUESTION_OPTIONS = (selectinload(Question.tags), joinedload(Question.author))


@dataclass
class QuestionPage:
    question: Question
    readable: bool
    answers: list[Answer] = field(default_factory=list)
    comments: dict = field(default_factory=dict)
    # Everyone who answered, even answers this viewer is not shown (waiting or deleted).
    answerers: set[int] = field(default_factory=set)


def answer_order(answer: Answer) -> tuple:
    return (not answer.canonical, not answer.accepted, -answer.score, answer.created_at, answer.id)


def shown_to(viewer: Viewer, answer: Answer) -> bool:
    """Operators see every answer; others live, approved ones and their own waiting ones."""
    if viewer.is_operator:
        return True
    return answer.deleted_at is None and (
        answer.approved or (viewer.user_id is not None and answer.author_id == viewer.user_id)
    )


def question_page(question: Question, viewer: Viewer) -> QuestionPage:
    """What the question page shows this viewer; nothing behind the paywall is loaded for them.

    Authors of answers and comments come with their names only: that is all the page shows.
    """
    readable = viewer.may_read(question)
    result = QuestionPage(question=question, readable=readable)
    if not readable:
        return result
    answers = list(
        db.session.scalars(
            select(Answer)
            .options(joinedload(Answer.author).load_only(User.id, User.name))
            .where(Answer.question_id == question.id)
        ).unique()
    )
    result.answerers = {answer.author_id for answer in answers}
    result.answers = sorted(
        (answer for answer in answers if shown_to(viewer, answer)), key=answer_order
    )
    comments = db.session.scalars(
        select(Comment)
        .options(joinedload(Comment.author).load_only(User.id, User.name))
        .where(Comment.question_id == question.id, Comment.deleted_at.is_(None))
        .order_by(Comment.created_at, Comment.id)
    ).unique()
    grouped = defaultdict(list)
    for comment in comments:
        grouped[comment.answer_id].append(comment)
    result.comments = grouped
    return result
