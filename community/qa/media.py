"""Pictures in questions and answers: who may see them follows the paywall of `access`."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from sqlalchemy import select

from community.extensions import db
from community.media.services import attach_images, register_owner_kind
from community.qa.access import viewer_for
from community.qa.models import Answer, Question

QUESTION_KIND, ANSWER_KIND = "qa_question", "qa_answer"


def questions_readable(question_ids: Sequence[int], user) -> bool:
    """A question's body is read by those who may read the question now (never a preview)."""
    viewer = viewer_for(user)
    questions = db.session.scalars(select(Question).where(Question.id.in_(question_ids)))
    return any(viewer.sees(question) and viewer.may_read(question) for question in questions)


def answers_readable(answer_ids: Sequence[int], user) -> bool:
    """An answer is read by those who may read its question (wherever a merge moved it)."""
    viewer = viewer_for(user)
    rows = db.session.execute(
        select(Answer, Question)
        .join(Question, Answer.question_id == Question.id)
        .where(Answer.id.in_(answer_ids))
    )
    return any(
        viewer.sees(answer) and viewer.sees(question) and viewer.may_read(question)
        for answer, question in rows
    )


def attach_question_images(question: Question, editor) -> None:
    attach_images(QUESTION_KIND, question.id, question.body, {question.author_id, editor.id})


def attach_answer_images(answer: Answer, editor) -> None:
    attach_images(ANSWER_KIND, answer.id, answer.body, {answer.author_id, editor.id})


def init_app(app: Flask) -> None:
    register_owner_kind(app, QUESTION_KIND, questions_readable)
    register_owner_kind(app, ANSWER_KIND, answers_readable)
