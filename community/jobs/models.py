"""The jobs tables: jobs that failed for good, and the schedule's one row per periodic task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.clock import UTCDateTime, utcnow
from community.extensions import db


class FailedJob(db.Model):
    """A job that failed on its last attempt; an operator retries it or it stays listed."""

    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    arguments: Mapped[list] = mapped_column(JSON)
    # What the job was about in a few words (a mail's recipient and subject), never its content.
    summary: Mapped[str] = mapped_column(String(300), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retried_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<FailedJob {self.id} {self.name}>"


class ScheduledTask(db.Model):
    """When a periodic task is due next, and who holds it while it runs (the lease)."""

    __tablename__ = "scheduled_tasks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<ScheduledTask {self.name} next={self.next_run_at}>"
