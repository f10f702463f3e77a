"""Answering, editing answers, accepting one, and commenting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa import markdown
from community.qa.access import require_member, require_shown
from community.qa.indexing import notify_changed
from community.qa.media import attach_answer_images
from community.qa.models import Answer, Comment, Question
from community.qa.services.log import log_action
from community.qa.services.questions import (
    clean_body,
    may_edit,
    record_revision,
    refresh_counts,
)

COMMENT_MAX = 600


def post_answer(
    author, question: Question, body, *, created_at=None, check_member=True, announce=True
) -> Answer:
    from community.qa.services import experts, moderation, notifications

    if check_member:
        require_member(author)
        if not question.takes_answers or not question.approved:
            raise NotAllowed(str(_l("This question does not take new answers.")))
    body = clean_body(body)
    now = created_at or utcnow()
    answer = Answer(
        question_id=question.id,
        author_id=author.id,
        body=body,
        body_html=markdown.render(body),
        by_expert=experts.is_expert(author),
        approved=not (check_member and moderation.needs_approval(author)),
        created_at=now,
        updated_at=now,
    )
    db.session.add(answer)
    db.session.flush()
    record_revision(None, answer, author)
    attach_answer_images(answer, author)
    question.updated_at = max(question.updated_at, now)
    refresh_counts(question)
    if answer.approved and announce:
        notifications.announce_answer(answer, question)
    notify_changed(question, "answered")
    return answer


def edit_answer(editor, answer: Answer, body, note: str = "") -> Answer:
    """Edit an answer; operators may also edit a canonical answer into a lasting entry."""
    if not may_edit(editor, answer.author_id):
        raise NotAllowed(str(_l("Only the author or an operator can edit this.")))
    question = answer.question
    if not editor.is_operator:
        require_member(editor)
        if question.status == "locked" or answer.is_deleted:
            raise NotAllowed(str(_l("This question is locked.")))
    body = clean_body(body)
    if body == answer.body:
        return answer
    answer.body = body
    answer.body_html = markdown.render(body)
    answer.updated_at = utcnow()
    record_revision(None, answer, editor, note)
    attach_answer_images(answer, editor)
    if editor.is_operator and editor.id != answer.author_id:
        log_action(editor, "edit_answer", question, answer, note=note)
    notify_changed(question, "answer_edited")
    return answer


def single_out(answer: Answer, flag: str) -> bool:
    """Set `flag` (accepted, canonical) on `answer` alone among its question's answers, or take
    it back when `answer` had it; returns whether it has it now."""
    if answer.is_deleted:
        raise ValidationFailed([(None, str(_l("This answer was deleted.")))])
    setting = not getattr(answer, flag)
    db.session.execute(
        update(Answer).where(Answer.question_id == answer.question_id).values({flag: False})
    )
    db.session.refresh(answer)
    setattr(answer, flag, setting)
    return setting


def accept_answer(actor, answer: Answer) -> Answer:
    """The asker or an operator marks one answer accepted (again on it: take it back)."""
    from community.qa.services import notifications

    question = answer.question
    if actor is None or not (actor.is_operator or actor.id == question.author_id):
        raise NotAllowed(str(_l("Only the asker or an operator can accept an answer.")))
    if not actor.is_operator:
        require_member(actor)
    accepting = single_out(answer, "accepted")
    if actor.is_operator and actor.id != question.author_id:
        log_action(actor, "accept" if accepting else "unaccept", question, answer)
    if accepting:
        notifications.notify(answer.author_id, "accepted", question, actor)
    notify_changed(question, "accepted")
    return answer


def add_comment(author, question: Question, body, answer: Answer | None = None) -> Comment:
    from community.qa.services import notifications

    require_member(author)
    require_shown(author, question, answer)
    if not question.takes_comments or not question.approved:
        raise NotAllowed(str(_l("This question is locked.")))
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed([("body", str(_l("Write something here.")))])
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            [("body", str(_l("Use at most %(count)d characters.", count=COMMENT_MAX)))]
        )
    if markdown.has_control_characters(text):
        raise ValidationFailed(
            [("body", str(_l("The text contains characters that cannot be shown.")))]
        )
    if answer is not None and answer.question_id != question.id:
        raise ValidationFailed([(None, str(_l("That answer belongs to another question.")))])
    comment = Comment(
        question_id=question.id,
        answer_id=answer.id if answer is not None else None,
        author_id=author.id,
        body=text,
    )
    db.session.add(comment)
    db.session.flush()
    post_author = answer.author_id if answer is not None else question.author_id
    notifications.notify(post_author, "comment", question, author)
    return comment


def delete_comment(actor, comment: Comment) -> None:
    if actor is None or not (actor.is_operator or actor.id == comment.author_id):
        raise NotAllowed(str(_l("Only the author or an operator can delete this.")))
    comment.deleted_at = utcnow()
    if actor.is_operator and actor.id != comment.author_id:
        log_action(actor, "delete_comment", note=f"comment {comment.id}: {comment.body[:200]}")
