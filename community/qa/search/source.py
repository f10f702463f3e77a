"""The Q&A knowledge base as a search source, and the receiver that queues its changes.

Every Q&A service that changes indexable content sends `question_changed` inside its
transaction; the receiver writes a search outbox row in that same transaction, so a rollback
leaves nothing behind and a commit always reaches the indexer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.qa.access import ANYONE
from community.qa.indexing import question_changed, questions_imported
from community.qa.markdown import plain_text
from community.qa.models import Answer, Question, QuestionStatus
from community.search import (
    AnswerText,
    Listing,
    SearchDocument,
    record_change,
    record_changes,
    register_source,
)

# Questions merged into another live on as an alias of their target; they are not indexed.
HIDDEN_STATUSES = (QuestionStatus.DUPLICATE.value,)
CLOSED_STATUSES = (QuestionStatus.CLOSED.value, QuestionStatus.LOCKED.value)


def indexable() -> list:
    """The conditions for a question to be searchable at all."""
    return [
        Question.deleted_at.is_(None),
        Question.approved.is_(True),
        Question.status.not_in(HIDDEN_STATUSES),
    ]


class QuestionSource:
    """Loads questions, their approved answers, tags and merged titles as search documents."""

    def load(self, ids: Sequence[int]) -> list[SearchDocument]:
        if not ids:
            return []
        questions = db.session.scalars(
            select(Question)
            .where(Question.id.in_(list(ids)))
            .options(
                selectinload(Question.tags),
                selectinload(Question.aliases),
                selectinload(Question.author),
            )
        ).all()
        answers = answers_by_question([question.id for question in questions])
        return [document(question, answers[question.id]) for question in questions]

    def all_ids(self) -> Iterable[int]:
        return db.session.scalars(select(Question.id).where(*indexable()).order_by(Question.id))

    def count(self) -> int:
        return db.session.scalar(select(func.count(Question.id)).where(*indexable())) or 0

    def search_database(self, words: Sequence[str], limit: int) -> list[SearchDocument]:
        query = select(Question.id).where(*indexable())
        for word in words:
            query = query.where(
                or_(
                    Question.title.icontains(word, autoescape=True),
                    Question.body.icontains(word, autoescape=True),
                )
            )
        ids = db.session.scalars(query.order_by(Question.id.desc()).limit(limit)).all()
        documents = {doc.id: doc for doc in self.load(ids)}
        return [documents[id_] for id_ in ids if id_ in documents]

    def listable(self, ids: Sequence[int]) -> dict[int, Listing]:
        rows = db.session.execute(
            select(Question.id, Question.public).where(Question.id.in_(list(ids)), *indexable())
        )
        return {row.id: Listing(row.id, row.public) for row in rows}


def answers_by_question(question_ids: list[int]) -> dict[int, list[AnswerText]]:
    found: dict[int, list[AnswerText]] = defaultdict(list)
    if not question_ids:
        return found
    rows = db.session.scalars(
        select(Answer)
        .where(
            Answer.question_id.in_(question_ids),
            Answer.deleted_at.is_(None),
            Answer.approved.is_(True),
        )
        .order_by(Answer.id)
    )
    for answer in rows:
        found[answer.question_id].append(
            AnswerText(
                plain_text(answer.body), accepted=answer.accepted, canonical=answer.canonical
            )
        )
    return found


def document(question: Question, answers: list[AnswerText]) -> SearchDocument:
    hidden = question.is_deleted or not question.approved or question.status in HIDDEN_STATUSES
    return SearchDocument(
        id=question.id,
        external_id=question.external_id,
        title=question.title,
        body=plain_text(question.body),
        teaser=question.teaser,
        created_at=question.created_at,
        updated_at=question.updated_at,
        answers=answers,
        tags=[tag.name for tag in question.tags],
        aliases=[alias.title for alias in question.aliases],
        author=question.author.name if question.author else "",
        featured=question.featured,
        public=question.public,
        closed=question.status in CLOSED_STATUSES,
        deleted=hidden,
        votes=question.score,
        open_to_all=ANYONE.may_read(question),
    )


def queue_question(question: Question, **_details) -> None:
    """Receiver of `question_changed`: an outbox row in the caller's transaction."""
    record_change(question.id)


def queue_imported(_sender, question_ids: list[int]) -> None:
    """Receiver of `questions_imported`: their outbox rows in one statement."""
    record_changes(question_ids)


def init_app(app: Flask) -> None:
    register_source(app, QuestionSource())
    question_changed.connect(queue_question, weak=False)
    questions_imported.connect(queue_imported, weak=False)
