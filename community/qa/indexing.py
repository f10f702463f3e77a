"""The seam search plugs into: a signal on every indexable change.

Services send `question_changed` inside the transaction that made the change, so a receiver
can write an outbox row that commits (or rolls back) with it; what is indexed is the search
source's to say (qa/search/source.py).
"""

from __future__ import annotations

from blinker import Namespace

from community.extensions import db
from community.qa.models import Question

signals = Namespace()
question_changed = signals.signal("question-changed")
# Many new questions at once (an import), sent with their ids.
questions_imported = signals.signal("questions-imported")


def notify_changed(question: Question, reason: str) -> None:
    """Tell listeners (search) that `question`'s content changed. (Its renderings retire by
    themselves: qa/pages/versions.py bumps on every change a page shows.)"""
    db.session.flush()
    question_changed.send(question, reason=reason)


def notify_imported(question_ids: list[int]) -> None:
    """Tell listeners that these questions were just written by an import (bulk inserts, so
    no `question_changed` was sent for them)."""
    questions_imported.send(None, question_ids=question_ids)
