"""Render versions: every change a question's page or list row shows bumps its version.

Cached renderings (fragments.py) are keyed by the version, so one bump retires them in every
worker at once. Changes made through the ORM are found at flush time: questions, answers and
comments themselves, a person's new display name, a tag's new name. Bulk UPDATEs bypass the
ORM; the services that use them end with `notify_changed`, which calls `bump` too.

A version only ever grows by `render_version + 1` in SQL, never by a value read earlier, so two
transactions bumping the same question cannot move it backwards.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event, inspect, select, union, update
from sqlalchemy.orm import Session

from community.accounts.models import User
from community.extensions import db
from community.qa.models import Answer, Comment, Question, Tag, question_tags

PENDING = "qa_render_bumps"


def bump(session: Session, question_ids) -> None:
    """Give each question a new version, inside the caller's transaction."""
    ids = sorted({question_id for question_id in question_ids if question_id is not None})
    if ids:
        session.connection().execute(
            update(Question.__table__)
            .where(Question.__table__.c.id.in_(ids))
            .values(render_version=Question.__table__.c.render_version + 1)
        )


def name_changed(instance) -> bool:
    return inspect(instance).attrs.name.history.has_changes()


def questions_by(person_id: int):
    """Questions whose page shows this person's name: asked, answered or commented on."""
    return union(
        select(Question.id).where(Question.author_id == person_id),
        select(Answer.question_id).where(Answer.author_id == person_id),
        select(Comment.question_id).where(Comment.author_id == person_id),
    )


def questions_tagged(tag_id: int):
    return select(question_tags.c.question_id).where(question_tags.c.tag_id == tag_id)


def changed_questions(session: Session) -> set[int]:
    """Ids of existing questions whose rendering the pending flush changes."""
    ids: set[int] = set()
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Question):
            if instance.id is not None and session.is_modified(instance):
                ids.add(instance.id)
        elif isinstance(instance, Answer | Comment):
            ids.add(instance.question_id)
        elif isinstance(instance, User) and instance.id is not None and name_changed(instance):
            ids.update(session.connection().scalars(questions_by(instance.id)))
        elif isinstance(instance, Tag) and instance.id is not None and name_changed(instance):
            ids.update(session.connection().scalars(questions_tagged(instance.id)))
    ids.discard(None)
    return ids


def collect(session: Session, _flush_context, _instances) -> None:
    session.info.setdefault(PENDING, set()).update(changed_questions(session))


def apply(session: Session, _flush_context) -> None:
    bump(session, session.info.pop(PENDING, ()))


def init_app() -> None:
    if not event.contains(db.session, "before_flush", collect):
        event.listen(db.session, "before_flush", collect)
        event.listen(db.session, "after_flush", apply)
