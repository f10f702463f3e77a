"""Render versions: every change a question's page or list row shows gives it a new version.

Cached renderings (community/rendering/) are keyed by the version, so one bump retires them in
every worker and host at once. This module is the one path that bumps: changes made through the
ORM are found at flush time (questions, answers and comments themselves, a person's new display
name, a tag's new name) and bulk UPDATEs and DELETEs of those rows as they run; each question
changed gets one new version as the transaction commits.

A version is a fresh random number, not a count: after a database backup is restored, the
versions it brings back name exactly the content it brings back, and a change made afterwards
never repeats a version that named other content before the restore (which a count would).
"""

from __future__ import annotations

import secrets
from itertools import chain

from sqlalchemy import event, inspect, select, union, update
from sqlalchemy.orm import ORMExecuteState, Session

from community.accounts.models import User
from community.extensions import db
from community.qa.models import Answer, Comment, Question, QuestionAlias, Tag, question_tags

PENDING = "qa_render_bumps"
# Rows a question's page shows, by the column naming their question: bulk changes to them bump.
PAGE_ROWS = {
    Question: "id",
    Answer: "question_id",
    Comment: "question_id",
    QuestionAlias: "question_id",
}


def new_version() -> int:
    """A version no rendering was cached under (31 bits, as the column holds)."""
    return 1 + secrets.randbelow(2**31 - 2)


def bump(session: Session, question_ids) -> None:
    """Give each question a new version, inside the caller's transaction."""
    ids = sorted({question_id for question_id in question_ids if question_id is not None})
    if ids:
        session.connection().execute(
            update(Question.__table__)
            .where(Question.__table__.c.id.in_(ids))
            .values(render_version=new_version())
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
    pending(session).update(changed_questions(session))


def pending(session: Session) -> set[int]:
    """Questions changed in this transaction whose bump is still to be written."""
    return session.info.setdefault(PENDING, set())


def apply(session: Session) -> None:
    """Before a commit: flush what is left (collecting it), then bump each question once."""
    session.flush()
    bump(session, session.info.pop(PENDING, ()))


def forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def bulk_change(state: ORMExecuteState):
    """Note the questions a bulk UPDATE or DELETE of rows a page shows touches, before it runs
    and after (a move), to bump with the rest of the transaction's changes."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    entity = state.bind_mapper.class_
    if entity not in PAGE_ROWS:
        return None
    column = getattr(entity, PAGE_ROWS[entity])
    (key,) = state.bind_mapper.primary_key
    connection = state.session.connection()
    where = state.statement.whereclause
    before = select(key, column) if where is None else select(key, column).where(where)
    rows = connection.execute(before).all()
    result = state.invoke_statement()
    ids = pending(state.session)
    ids.update(question_id for _key, question_id in rows)
    if state.is_update and rows:
        ids.update(connection.scalars(select(column).where(key.in_([row[0] for row in rows]))))
    return result


def init_app() -> None:
    """Collect at every flush and bulk change, bump once per question as the transaction
    commits, and forget what a rollback undid."""
    if not event.contains(db.session, "before_flush", collect):
        event.listen(db.session, "before_flush", collect)
        event.listen(db.session, "before_commit", apply)
        event.listen(db.session, "after_rollback", forget)
        event.listen(db.session, "do_orm_execute", bulk_change)
