"""Asking and editing questions, and the revisions every edit leaves behind."""

from __future__ import annotations

import difflib
import math
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.clock import utcnow
from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa import markdown
from community.qa.access import require_member, require_operator
from community.qa.indexing import notify_changed
from community.qa.media import attach_question_images
from community.qa.models import Answer, Question, QuestionFollow, Revision
from community.qa.services import tags as tag_service
from community.qa.services.log import log_action

TITLE_MIN, TITLE_MAX = 5, 150
BODY_MAX = 20_000
HOT_EPOCH = datetime(2024, 1, 1).timestamp()
HOT_HALF_DAY = 45_000


def clean_title(raw: str | None) -> str:
    title = markdown.clean_line(raw)
    if markdown.has_control_characters(title):
        raise ValidationFailed(
            [("title", str(_l("The title contains characters that cannot be shown.")))]
        )
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationFailed(
            [
                (
                    "title",
                    str(
                        _l(
                            "The title needs %(min)d to %(max)d characters.",
                            min=TITLE_MIN,
                            max=TITLE_MAX,
                        )
                    ),
                )
            ]
        )
    return title


def clean_body(raw: str | None, field: str = "body") -> str:
    body = (raw or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed([(field, str(_l("Write something here.")))])
    if len(body) > BODY_MAX:
        raise ValidationFailed(
            [(field, str(_l("Use at most %(count)d characters.", count=BODY_MAX)))]
        )
    if markdown.has_control_characters(body):
        raise ValidationFailed(
            [(field, str(_l("The text contains characters that cannot be shown.")))]
        )
    return body


def check_question(title, body, tags) -> tuple[str, str, list]:
    """Validate all fields at once so the form shows every problem together."""
    errors: list[tuple[str | None, str]] = []
    results = {}
    for field, check, value in (
        ("title", clean_title, title),
        ("body", clean_body, body),
        ("tags", tag_service.split_tags, tags),
    ):
        try:
            results[field] = check(value)
        except ValidationFailed as failure:
            errors += failure.errors
    if errors:
        raise ValidationFailed(errors)
    return results["title"], results["body"], tag_service.resolve_tags(results["tags"])


def hot_rank(score: int, created_at: datetime) -> float:
    """Votes on a log scale plus age: a day's newness is worth about a tenfold of votes."""
    order = math.log10(max(abs(score), 1))
    sign = 1 if score > 0 else -1 if score < 0 else 0
    return round(sign * order + (created_at.timestamp() - HOT_EPOCH) / HOT_HALF_DAY, 7)


def refresh_counts(question: Question) -> None:
    """Recompute the denormalised answer count and hot rank of a question."""
    db.session.flush()
    question.answer_count = db.session.scalar(
        select(func.count(Answer.id)).where(
            Answer.question_id == question.id, Answer.deleted_at.is_(None), Answer.approved
        )
    )
    question.hot_rank = hot_rank(question.score + question.answer_count, question.created_at)


def record_revision(question: Question | None, answer: Answer | None, editor, note="") -> Revision:
    target_filter = (
        Revision.answer_id == answer.id
        if answer is not None
        else Revision.question_id == question.id
    )
    number = (db.session.scalar(select(func.max(Revision.number)).where(target_filter)) or 0) + 1
    source = answer if answer is not None else question
    revision = Revision(
        question_id=None if answer is not None else question.id,
        answer_id=answer.id if answer is not None else None,
        number=number,
        title="" if answer is not None else question.title,
        tags="" if answer is not None else " ".join(tag.name for tag in question.tags),
        body=source.body,
        body_html=source.body_html,
        note=note[:200],
        editor_id=editor.id,
    )
    db.session.add(revision)
    return revision


def ask_question(
    author, title, body, tags, *, expert=False, created_at=None, check_member=True, announce=True
) -> Question:
    """Post a new question; the asker follows it. A first post may wait for approval.

    `check_member=False` and `announce=False` are for imports of past threads: no membership
    or approval checks, and no notifications about things that happened long ago.
    """
    from community.qa.services import experts, moderation, notifications

    if check_member:
        require_member(author)
    title, body, tag_rows = check_question(title, body, tags)
    if expert and check_member and not experts.may_ask_expert(author):
        raise NotAllowed(str(_l("Asking an expert is part of the pro membership.")))
    now = created_at or utcnow()
    question = Question(
        title=title,
        body=body,
        body_html=markdown.render(body),
        teaser=markdown.teaser(body),
        author_id=author.id,
        tags=tag_rows,
        expert_requested=bool(expert),
        approved=not (check_member and moderation.needs_approval(author)),
        created_at=now,
        updated_at=now,
    )
    question.hot_rank = hot_rank(0, now)
    db.session.add(question)
    db.session.flush()
    db.session.add(QuestionFollow(user_id=author.id, question_id=question.id))
    record_revision(question, None, author)
    attach_question_images(question, author)
    if question.approved and announce:
        notifications.announce_question(question)
    notify_changed(question, "asked")
    return question


def may_edit(user, author_id: int) -> bool:
    return user is not None and (user.is_operator or user.id == author_id)


def edit_question(editor, question: Question, title, body, tags, note: str = "") -> Question:
    if not may_edit(editor, question.author_id):
        raise NotAllowed(str(_l("Only the author or an operator can edit this.")))
    if not editor.is_operator:
        require_member(editor)
        if question.status == "locked" or question.is_deleted:
            raise NotAllowed(str(_l("This question is locked.")))
    title, body, tag_rows = check_question(title, body, tags)
    unchanged = (
        title == question.title
        and body == question.body
        and [tag.id for tag in tag_rows] == [tag.id for tag in question.tags]
    )
    if unchanged:
        return question
    question.title = title
    question.body = body
    question.body_html = markdown.render(body)
    question.teaser = markdown.teaser(body)
    question.tags = tag_rows
    question.updated_at = utcnow()
    record_revision(question, None, editor, note)
    attach_question_images(question, editor)
    if editor.is_operator and editor.id != question.author_id:
        log_action(editor, "edit_question", question, note=note)
    notify_changed(question, "edited")
    return question


def revisions_of(question: Question | None = None, answer: Answer | None = None) -> list[Revision]:
    target_filter = (
        Revision.answer_id == answer.id
        if answer is not None
        else Revision.question_id == question.id
    )
    return list(
        db.session.scalars(
            select(Revision)
            .options(joinedload(Revision.editor))
            .where(target_filter)
            .order_by(Revision.number.desc())
        )
    )


def revision_text(revision: Revision) -> list[str]:
    lines = []
    if revision.question_id is not None:
        lines += [revision.title, revision.tags, ""]
    return lines + revision.body.splitlines()


def revision_diff(older: Revision | None, newer: Revision) -> list[tuple[str, str]]:
    """(kind, line) pairs: kind is '+', '-' or ' ' for added, removed or kept lines."""
    before = revision_text(older) if older is not None else []
    rows = []
    for line in difflib.ndiff(before, revision_text(newer)):
        if line.startswith("? "):
            continue
        rows.append((line[0], line[2:]))
    return rows


def restore_revision(actor, revision: Revision):
    """Make an old revision current again; the restore is itself a new revision."""
    require_operator(actor)
    note = str(_l("Restored revision %(number)d", number=revision.number))
    if revision.answer_id is not None:
        from community.qa.services.answers import edit_answer

        answer = db.session.get(Answer, revision.answer_id)
        return edit_answer(actor, answer, revision.body, note=note)
    question = db.session.get(Question, revision.question_id)
    log_action(actor, "restore_revision", question, note=note)
    return edit_question(actor, question, revision.title, revision.body, revision.tags, note=note)
