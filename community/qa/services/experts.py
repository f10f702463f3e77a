"""Experts: users an admin trusts with the questions pro members direct to them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from community.accounts import session_values
from community.accounts.models import User
from community.errors import NotAllowed
from community.extensions import db
from community.membership.entitlements import may
from community.qa.models import Answer, Expert, Question


def is_expert(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    if user.is_operator:
        return True
    loaded = session_values.value(user.id, "qa_expert")
    if loaded is not session_values.MISSING:
        return bool(loaded)
    return db.session.get(Expert, user.id) is not None


session_values.register("qa_expert", lambda: exists().where(Expert.user_id == User.id))


def may_ask_expert(user) -> bool:
    return may(user, "ask_expert")


def set_expert(actor, user, expert: bool) -> None:
    """Only admins mark experts."""
    from community.qa.services.log import log_action

    if actor is None or not actor.is_admin:
        raise NotAllowed(str(_l("Administrators only.")))
    row = db.session.get(Expert, user.id)
    if expert and row is None:
        db.session.add(Expert(user_id=user.id, granted_by_id=actor.id))
    elif not expert and row is not None:
        db.session.delete(row)
    log_action(actor, "expert_on" if expert else "expert_off", note=f"user {user.id}")
    db.session.flush()


def experts() -> list[Expert]:
    return list(db.session.scalars(select(Expert).options(joinedload(Expert.user))))


def expert_queue() -> list[Question]:
    """Questions sent to experts that no expert has answered yet, oldest first."""
    answered = exists().where(Answer.question_id == Question.id, Answer.by_expert)
    return list(
        db.session.scalars(
            select(Question)
            .options(joinedload(Question.author), selectinload(Question.tags))
            .where(
                Question.expert_requested,
                Question.deleted_at.is_(None),
                Question.approved,
                Question.status == "open",
                ~answered,
            )
            .order_by(Question.created_at)
        )
    )
