"""The scheduler: run every registered periodic task that is due, each by one runner at a time.

A task is claimed by a conditional UPDATE of its row in `scheduled_tasks` that must touch exactly
one row (due, and not leased by a live run); the database makes that atomic on SQLite (the write
lock) and on PostgreSQL (the row lock, with the condition read again after a concurrent update).
So cron, a long-running `flask jobs schedule` and a second host may all run at once: each task
runs once per interval. A run that crashes keeps its lease until it expires, then is taken over.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import select, update

from community.clock import utcnow
from community.database import insert_unless_present
from community.extensions import db
from community.jobs.models import ScheduledTask
from community.jobs.registry import PERIODIC, PeriodicTask

log = logging.getLogger(__name__)
# After a failed run the task is tried again after this (or its interval, if shorter).
RETRY_AFTER = timedelta(minutes=5)
ERROR_LENGTH = 2000


def run_due(now: datetime | None = None, tasks: dict[str, PeriodicTask] | None = None) -> list:
    """Run each due task this runner can claim; return (name, outcome) pairs."""
    outcomes = []
    for task in (tasks if tasks is not None else PERIODIC).values():
        moment = now or utcnow()
        if not claim(task, moment):
            continue
        outcomes.append((task.name, run_claimed(task, moment)))
    return outcomes


def claim(task: PeriodicTask, moment: datetime) -> bool:
    """Take the task's lease if it is due and nobody holds it; commit the claim at once."""
    insert_unless_present(
        db.session, ScheduledTask, {"name": task.name, "next_run_at": moment}, key=["name"]
    )
    claimed = db.session.execute(
        update(ScheduledTask)
        .where(
            ScheduledTask.name == task.name,
            ScheduledTask.next_run_at <= moment,
            (ScheduledTask.lease_until.is_(None)) | (ScheduledTask.lease_until < moment),
        )
        .values(lease_until=moment + task.lease, last_started_at=moment)
    )
    db.session.commit()
    return claimed.rowcount == 1


def run_claimed(task: PeriodicTask, started: datetime) -> str:
    try:
        task.run()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("periodic task %s failed", task.name)
        finish(task, started + min(task.every, RETRY_AFTER), f"{type(error).__name__}: {error}")
        return "failed"
    finish(task, started + task.every, "")
    return "done"


def finish(task: PeriodicTask, next_run_at: datetime, error: str) -> None:
    db.session.execute(
        update(ScheduledTask)
        .where(ScheduledTask.name == task.name)
        .values(
            lease_until=None,
            next_run_at=next_run_at,
            last_finished_at=utcnow(),
            last_error=error[:ERROR_LENGTH],
        )
    )
    db.session.commit()


def schedule_rows() -> dict[str, ScheduledTask]:
    return {row.name: row for row in db.session.scalars(select(ScheduledTask))}


def run_forever(stop: threading.Event, tick: float = 60.0) -> None:
    """`flask jobs schedule`: run what is due every `tick` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            run_due()
        except Exception:
            db.session.rollback()
            log.exception("the scheduler could not run its tasks; trying again")
        finally:
            db.session.remove()
        stop.wait(tick)
