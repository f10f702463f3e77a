"""The seam search plugs into: a signal on every indexable change and the document to index.

Services send `question_changed` inside the transaction that made the change, so a receiver
can write an outbox row that commits (or rolls back) with it.
"""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy import select

from community.extensions import db
from community.qa.markdown import plain_text
from community.qa.models import Answer, Question

signals = Namespace()
question_changed = signals.signal("question-changed")


def notify_changed(question: Question, reason: str) -> None:
    """Tell listeners (search) that `question`'s content changed. (Its renderings retire by
    themselves: qa/pages/versions.py bumps on every change a page shows.)"""
    db.session.flush()
    question_changed.send(question, reason=reason)


def indexable_document(question: Question) -> dict:
    """Everything search needs about one question, as plain values."""
    answers = db.session.scalars(
        select(Answer)
        .where(Answer.question_id == question.id, Answer.deleted_at.is_(None), Answer.approved)
        .order_by(Answer.id)
    ).all()
    return {
        "id": question.id,
        "external_id": question.external_id,
        "title": question.title,
        "body": plain_text(question.body),
        "teaser": question.teaser,
        "tags": [tag.name for tag in question.tags],
        "aliases": [alias.title for alias in question.aliases],
        "answers": [
            {
                "id": answer.id,
                "text": plain_text(answer.body),
                "accepted": answer.accepted,
                "canonical": answer.canonical,
                "score": answer.score,
            }
            for answer in answers
        ],
        "author_id": question.author_id,
        "status": question.status,
        "deleted": question.is_deleted,
        "approved": question.approved,
        "featured": question.featured,
        "public": question.public,
        "pinned": question.pinned,
        "accepted": any(answer.accepted for answer in answers),
        "score": question.score,
        "answer_count": question.answer_count,
        "created_at": question.created_at,
        "updated_at": question.updated_at,
    }
