"""Billing's periodic tasks (registered with the job layer's scheduler)."""

from __future__ import annotations

from datetime import timedelta

from community.billing import reminders
from community.clock import utcnow
from community.extensions import db
from community.jobs import periodic


@periodic("billing.renewal-reminders", every=timedelta(hours=1))
def send_renewal_reminders() -> int:
    """Mail the 30, 7 and 1-day reminders that are due; each is claimed (and committed) once,
    so two runs at once, or a run after a crash, never mail one twice."""
    claimed = reminders.claim_reminders(utcnow())
    db.session.commit()
    for user, ends_at, days in claimed:
        reminders.send_reminder(user, ends_at, days)
    return len(claimed)
