"""Operator curation: 精华, pins, status changes, public entries, canonical answers, merges."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.qa.access import require_operator
from community.qa.indexing import notify_changed
from community.qa.models import (
    Answer,
    Comment,
    Flag,
    Notification,
    Question,
    QuestionAlias,
    QuestionFollow,
    QuestionStatus,
    Vote,
)
from community.qa.services.answers import single_out
from community.qa.services.log import log_action
from community.qa.services.questions import refresh_counts

REASON_MAX = 300
FLAG_ACTIONS = {
    "feature": ("featured", True),
    "unfeature": ("featured", False),
    "pin": ("pinned", True),
    "unpin": ("pinned", False),
    "make_public": ("public", True),
    "make_private": ("public", False),
}


def set_flag(actor, question: Question, action: str) -> Question:
    """精华, pin and public on or off."""
    require_operator(actor)
    if action not in FLAG_ACTIONS:
        raise ValidationFailed([("action", str(_l("Unknown action.")))])
    attribute, value = FLAG_ACTIONS[action]
    if getattr(question, attribute) != value:
        setattr(question, attribute, value)
        log_action(actor, action, question)
        notify_changed(question, action)
    return question


def close_question(actor, question: Question, reason: str) -> Question:
    require_operator(actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed([("reason", str(_l("Say why the question is closed.")))])
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            [("reason", str(_l("Use at most %(count)d characters.", count=REASON_MAX)))]
        )
    if question.status == QuestionStatus.DUPLICATE:
        raise ValidationFailed([(None, str(_l("This question was merged into another.")))])
    question.status = QuestionStatus.CLOSED
    question.close_reason = reason
    log_action(actor, "close", question, note=reason)
    notify_changed(question, "closed")
    return question


def set_status(actor, question: Question, action: str) -> Question:
    """Reopen, lock or unlock (an unlocked question is open again)."""
    require_operator(actor)
    if question.status == QuestionStatus.DUPLICATE:
        raise ValidationFailed([(None, str(_l("This question was merged into another.")))])
    targets = {
        "reopen": QuestionStatus.OPEN,
        "lock": QuestionStatus.LOCKED,
        "unlock": QuestionStatus.OPEN,
    }
    if action not in targets:
        raise ValidationFailed([("action", str(_l("Unknown action.")))])
    question.status = targets[action]
    question.close_reason = ""
    log_action(actor, action, question)
    notify_changed(question, action)
    return question


def delete_question(actor, question: Question, deleted: bool = True) -> Question:
    """Soft-delete (or bring back) a question; its rows stay for the record."""
    require_operator(actor)
    question.deleted_at = (question.deleted_at or utcnow()) if deleted else None
    log_action(actor, "delete" if deleted else "undelete", question)
    notify_changed(question, "deleted" if deleted else "undeleted")
    return question


def delete_answer(actor, answer: Answer, deleted: bool = True) -> Answer:
    require_operator(actor)
    answer.deleted_at = (answer.deleted_at or utcnow()) if deleted else None
    if deleted:
        answer.canonical = False
    refresh_counts(answer.question)
    log_action(actor, "delete_answer" if deleted else "undelete_answer", answer.question, answer)
    notify_changed(answer.question, "answer_deleted")
    return answer


def choose_canonical(actor, answer: Answer) -> Answer:
    """Mark the community's curated answer (shown first); choosing it again takes it back."""
    from community.qa.services import notifications

    require_operator(actor)
    making = single_out(answer, "canonical")
    log_action(actor, "canonical" if making else "uncanonical", answer.question, answer)
    if making:
        notifications.notify(answer.author_id, "canonical", answer.question, actor)
    notify_changed(answer.question, "canonical")
    return answer


def merge_duplicate(actor, source: Question, target: Question) -> Question:
    """Merge `source` into `target`: answers, votes and followers move; the title stays as alias."""
    require_operator(actor)
    if source.id == target.id:
        raise ValidationFailed([("target", str(_l("A question cannot be merged into itself.")))])
    if target.status == QuestionStatus.DUPLICATE or target.is_deleted:
        raise ValidationFailed(
            [
                (
                    "target",
                    str(_l("Merge into a question that is live, not a merged or deleted one.")),
                )
            ]
        )
    if source.status == QuestionStatus.DUPLICATE:
        raise ValidationFailed([(None, str(_l("This question was already merged.")))])

    db.session.execute(
        update(Answer)
        .where(Answer.question_id == source.id)
        .values(question_id=target.id, accepted=False, canonical=False)
    )
    db.session.execute(
        update(Comment).where(Comment.question_id == source.id).values(question_id=target.id)
    )
    move_unique(Vote, Vote.question_id, source.id, target.id, Vote.user_id)
    move_unique(
        QuestionFollow, QuestionFollow.question_id, source.id, target.id, QuestionFollow.user_id
    )
    db.session.execute(
        update(Notification)
        .where(Notification.question_id == source.id)
        .values(question_id=target.id)
    )
    db.session.execute(
        update(Flag).where(Flag.question_id == source.id).values(question_id=target.id)
    )
    # Titles merged earlier into the source now point at the final target, like the redirects.
    db.session.execute(
        update(QuestionAlias)
        .where(QuestionAlias.question_id == source.id)
        .values(question_id=target.id)
    )
    db.session.execute(
        update(Question)
        .where(Question.duplicate_of_id == source.id)
        .values(duplicate_of_id=target.id)
    )
    db.session.add(
        QuestionAlias(question_id=target.id, merged_question_id=source.id, title=source.title)
    )
    source.status = QuestionStatus.DUPLICATE
    source.duplicate_of_id = target.id
    source.answer_count = 0
    source.score = 0
    db.session.flush()
    db.session.expire(target)
    target.score = db.session.scalar(
        select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.question_id == target.id)
    )
    refresh_counts(target)
    log_action(actor, "merge", source, note=f"#{source.id} -> #{target.id}")
    notify_changed(source, "merged")
    notify_changed(target, "merged_into")
    return target


def move_unique(model, column, source_id: int, target_id: int, user_column) -> None:
    """Re-point rows from source to target, dropping those the target already has per user."""
    taken = set(db.session.scalars(select(user_column).where(column == target_id)))
    for row in db.session.scalars(select(model).where(column == source_id)).all():
        if getattr(row, user_column.key) in taken:
            db.session.delete(row)
        else:
            setattr(row, column.key, target_id)
    db.session.flush()


def most_duplicated(limit: int = 50) -> list[tuple[Question, int]]:
    """Questions with the most duplicates merged into them, most first."""
    count = func.count(QuestionAlias.id)
    rows = db.session.execute(
        select(Question, count)
        .join(QuestionAlias, QuestionAlias.question_id == Question.id)
        .group_by(Question.id)
        .order_by(count.desc(), Question.id)
        .limit(limit)
    ).all()
    return [(question, number) for question, number in rows]
