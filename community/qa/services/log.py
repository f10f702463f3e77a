"""The operators' action log: every curation and moderation step is written here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.extensions import db
from community.qa.models import ModerationAction


def log_action(actor, action: str, question=None, answer=None, note: str = "") -> None:
    db.session.add(
        ModerationAction(
            actor_id=actor.id,
            action=action,
            question_id=getattr(question, "id", None),
            answer_id=getattr(answer, "id", None),
            note=note[:500],
        )
    )


def recent_actions(limit: int = 100) -> list[ModerationAction]:
    return list(
        db.session.scalars(
            select(ModerationAction)
            .options(joinedload(ModerationAction.actor))
            .order_by(ModerationAction.id.desc())
            .limit(limit)
        )
    )
