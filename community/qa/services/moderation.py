"""The review queue: members' flags, first posts waiting for approval, and what operators do."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from community.clock import utcnow
from community.errors import ValidationFailed
from community.extensions import db
from community.qa.access import require_member, require_operator, require_shown
from community.qa.indexing import notify_changed
from community.qa.models import Answer, Flag, QaSetting, Question
from community.qa.services import notifications
from community.qa.services.log import log_action
from community.qa.services.questions import refresh_counts

REASONS = ("spam", "rude", "duplicate", "other")
FIRST_POST_APPROVAL = "first_post_approval"
NOTE_MAX = 500


def setting(key: str) -> str:
    row = db.session.get(QaSetting, key)
    return row.value if row else ""


def set_first_post_approval(actor, enabled: bool) -> None:
    require_operator(actor)
    row = db.session.get(QaSetting, FIRST_POST_APPROVAL) or QaSetting(key=FIRST_POST_APPROVAL)
    row.value = "on" if enabled else ""
    db.session.add(row)
    log_action(actor, "first_post_approval_on" if enabled else "first_post_approval_off")


def needs_approval(author) -> bool:
    """With approval on, a member's posts wait until one of them has been approved."""
    if author.is_operator or setting(FIRST_POST_APPROVAL) != "on":
        return False
    has_question = db.session.scalar(
        select(exists().where(Question.author_id == author.id, Question.approved))
    )
    has_answer = db.session.scalar(
        select(exists().where(Answer.author_id == author.id, Answer.approved))
    )
    return not (has_question or has_answer)


def flag_post(
    reporter,
    question: Question,
    reason: str,
    note: str = "",
    answer=None,
    original: Question | None = None,
) -> Flag:
    require_member(reporter)
    require_shown(reporter, question, answer)
    if reason not in REASONS:
        raise ValidationFailed([("reason", str(_l("Choose a reason.")))])
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            [("note", str(_l("Use at most %(count)d characters.", count=NOTE_MAX)))]
        )
    if reason == "duplicate" and (original is None or original.id == question.id):
        raise ValidationFailed(
            [("original", str(_l("Give the link or number of the original question.")))]
        )
    if reason == "other" and not note:
        raise ValidationFailed([("note", str(_l("Tell the moderators what is wrong.")))])
    flag = Flag(
        reporter_id=reporter.id,
        question_id=question.id,
        answer_id=getattr(answer, "id", None),
        reason=reason,
        note=note,
        original_id=getattr(original, "id", None),
    )
    db.session.add(flag)
    db.session.flush()
    return flag


def open_flags() -> list[Flag]:
    return list(
        db.session.scalars(
            select(Flag)
            .options(joinedload(Flag.reporter), joinedload(Flag.question))
            .where(Flag.resolved_at.is_(None))
            .order_by(Flag.created_at)
        )
    )


def pending_posts() -> tuple[list[Question], list[Answer]]:
    questions = db.session.scalars(
        select(Question)
        .options(joinedload(Question.author))
        .where(~Question.approved, Question.deleted_at.is_(None))
        .order_by(Question.created_at)
    ).all()
    answers = db.session.scalars(
        select(Answer)
        .options(joinedload(Answer.author), joinedload(Answer.question))
        .where(~Answer.approved, Answer.deleted_at.is_(None))
        .order_by(Answer.created_at)
    ).all()
    return list(questions), list(answers)


def resolve_flag(actor, flag: Flag, resolution: str) -> Flag:
    """Close a flag as 'handled' or 'dismissed' (the action itself is logged by its service)."""
    require_operator(actor)
    if resolution not in ("handled", "dismissed"):
        raise ValidationFailed([("resolution", str(_l("Unknown action.")))])
    if flag.resolved_at is None:
        flag.resolved_at = utcnow()
        flag.resolved_by_id = actor.id
        flag.resolution = resolution
        log_action(actor, f"flag_{resolution}", flag.question, note=f"flag {flag.id} {flag.reason}")
    return flag


def resolve_flags_on(actor, question: Question) -> None:
    for flag in db.session.scalars(
        select(Flag).where(Flag.question_id == question.id, Flag.resolved_at.is_(None))
    ):
        flag.resolved_at = utcnow()
        flag.resolved_by_id = actor.id
        flag.resolution = "handled"


def approve_post(actor, question: Question | None = None, answer: Answer | None = None) -> None:
    require_operator(actor)
    if answer is not None:
        if not answer.approved:
            answer.approved = True
            refresh_counts(answer.question)
            notifications.announce_answer(answer, answer.question)
            log_action(actor, "approve_answer", answer.question, answer)
            notify_changed(answer.question, "approved")
    elif question is not None and not question.approved:
        question.approved = True
        notifications.announce_question(question)
        log_action(actor, "approve_question", question)
        notify_changed(question, "approved")
