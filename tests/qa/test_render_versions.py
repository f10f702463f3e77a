"""Render versions: one invalidation path (the listener bumps each changed question once, bulk
changes included, nothing after a rollback) and versions a restored backup never repeats."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.models import Question
from tests.qa.rendering_helpers import CHANGES, page, version_of


def bump_statements(statements) -> list[str]:
    return [
        s for s in statements if "render_version" in s and s.lstrip().upper().startswith("UPDATE")
    ]


@pytest.mark.parametrize("change", ["answer", "comment", "vote", "feature", "close"])
def test_a_change_bumps_its_question_once_through_the_flush_listener(
    app, make_user, operator, make_question, count_queries, change
):
    """One invalidation path: the services do not bump on top of the listener."""
    question = make_question(tags="信用卡")
    actor = make_user(tier="member")
    with count_queries() as statements:
        CHANGES[change](question, actor, operator)
        db.session.commit()
    assert len(bump_statements(statements)) == 1


def test_a_bulk_update_bumps_the_questions_before_and_after_a_move(app, make_question, make_answer):
    """Rows moved by a bulk UPDATE (no ORM objects) retire both questions' renderings."""
    from sqlalchemy import update

    from community.qa.models import Answer

    source, target, untouched = make_question(), make_question(), make_question()
    make_answer(source)
    versions = {q.id: version_of(q) for q in (source, target, untouched)}
    db.session.execute(
        update(Answer).where(Answer.question_id == source.id).values(question_id=target.id)
    )
    db.session.commit()
    assert version_of(source) != versions[source.id]
    assert version_of(target) != versions[target.id]
    assert version_of(untouched) == versions[untouched.id]


def test_a_rolled_back_change_bumps_nothing_later(app, make_question, count_queries):
    question = make_question()
    question.title = "改了又撤回的标题"
    db.session.flush()
    db.session.rollback()
    with count_queries() as statements:
        db.session.get(Question, question.id).pinned = True
        db.session.commit()
    (bump,) = bump_statements(statements)


def test_after_a_restore_new_changes_never_reuse_a_version(app, make_question, reader):
    """A restored backup brings back old versions with the content they named; a change made
    after it gets a version no rendering from before the restore was cached under."""
    question = make_question()
    restored = version_of(question)
    seen = {restored}
    for round_ in range(20):
        question.title = f"第{round_}次修改后的标题，足够长"
        db.session.commit()
        seen.add(version_of(question))
    assert len(seen) == 21
    # "Restore" the first version, then change again: a fresh version, not one seen before.
    db.session.execute(
        db.update(Question).where(Question.id == question.id).values(render_version=restored)
    )
    db.session.commit()
    question.title = "恢复备份之后的新修改，标题也足够长"
    db.session.commit()
    assert version_of(question) not in seen
    assert "恢复备份之后的新修改" in page(reader[0], question)
