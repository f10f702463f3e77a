"""Votes (one per person, changeable, never on one's own post) and follows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community.errors import NotAllowed, ValidationFailed
from community.extensions import db
from community.qa.access import require_member, require_shown
from community.qa.indexing import notify_changed
from community.qa.models import Answer, Question, QuestionFollow, Tag, TagFollow, Vote
from community.qa.services.questions import refresh_counts

VALUES = {"up": 1, "down": -1, "clear": 0}


def cast_vote(voter, target: Question | Answer, direction: str) -> int:
    """Set the voter's vote on a question or answer to up, down or none; return the new score."""
    require_member(voter)
    if direction not in VALUES:
        raise ValidationFailed([("value", str(_l("Vote up, down or clear.")))])
    if target.author_id == voter.id:
        raise NotAllowed(str(_l("You cannot vote on your own post.")))
    question = target if isinstance(target, Question) else target.question
    require_shown(voter, question, target)
    if question.is_deleted or target.deleted_at is not None:
        raise NotAllowed(str(_l("This post was deleted.")))
    column = Vote.question_id if isinstance(target, Question) else Vote.answer_id
    vote = db.session.scalar(select(Vote).where(Vote.user_id == voter.id, column == target.id))
    value = VALUES[direction]
    if value == 0:
        if vote is not None:
            db.session.delete(vote)
    elif vote is None:
        db.session.add(
            Vote(
                user_id=voter.id,
                value=value,
                question_id=target.id if isinstance(target, Question) else None,
                answer_id=target.id if isinstance(target, Answer) else None,
            )
        )
    else:
        vote.value = value
    db.session.flush()
    target.score = db.session.scalar(
        select(func.coalesce(func.sum(Vote.value), 0)).where(column == target.id)
    )
    refresh_counts(question)
    notify_changed(question, "voted")
    return target.score


def set_following(model, key: dict, following: bool) -> None:
    """Add or remove the follow row `model(**key)` (a question's or a tag's), as asked."""
    row = db.session.get(model, tuple(key.values()))
    if following and row is None:
        db.session.add(model(**key))
    elif not following and row is not None:
        db.session.delete(row)
    db.session.flush()


def follow_question(user, question: Question, following: bool = True) -> None:
    require_member(user)
    set_following(QuestionFollow, {"user_id": user.id, "question_id": question.id}, following)


def follow_tag(user, tag: Tag, following: bool = True) -> None:
    require_member(user)
    set_following(TagFollow, {"user_id": user.id, "tag_id": tag.id}, following)


def follows_tag(user_id: int | None, tag: Tag) -> bool:
    return user_id is not None and db.session.get(TagFollow, (user_id, tag.id)) is not None
