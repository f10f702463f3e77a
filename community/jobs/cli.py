"""`flask jobs ...`: the queue's worker, failed jobs, and the scheduler's two entry points."""

from __future__ import annotations

import json
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from rq import SimpleWorker
from sqlalchemy import select

from community.extensions import db
from community.jobs import runner, schedule
from community.jobs.models import FailedJob
from community.jobs.registry import PERIODIC

jobs_cli = AppGroup("jobs", help="Background jobs and periodic tasks.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run queued jobs (mail and others) until stopped; retries wait their delays here."""
    app = current_app._get_current_object()
    if app.config["JOB_QUEUE"] != "rq":
        raise click.ClickException(
            "Jobs run inline: set REDIS_URL (JOB_QUEUE=rq) for a queue and its worker."
        )
    connection = runner.redis_connection(app, blocking=True)
    worker = SimpleWorker([runner.rq_queue(app, connection)], connection=connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


def unresolved_failures() -> list[FailedJob]:
    return list(
        db.session.scalars(
            select(FailedJob).where(FailedJob.retried_at.is_(None)).order_by(FailedJob.id)
        )
    )


@jobs_cli.command("failed")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per failed job.")
def failed_command(as_json: bool) -> None:
    """List jobs that failed on their last attempt and were not retried."""
    failures = unresolved_failures()
    for failed in failures:
        if as_json:
            row = {
                "id": failed.id,
                "name": failed.name,
                "summary": failed.summary,
                "error": failed.error,
                "attempts": failed.attempts,
                "failed_at": failed.failed_at.isoformat(),
            }
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(
                f"#{failed.id} {failed.failed_at:%Y-%m-%d %H:%M} UTC {failed.name} "
                f"({failed.summary}) after {failed.attempts} attempt(s): {failed.error}"
            )
    if not failures and not as_json:
        click.echo("No failed jobs.")
    db.session.commit()


@jobs_cli.command("retry")
@click.argument("failed_ids", nargs=-1, type=int)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed job listed.")
def retry_command(failed_ids: tuple[int, ...], retry_all: bool) -> None:
    """Run failed jobs again (each once)."""
    if retry_all:
        failed_ids = tuple(failed.id for failed in unresolved_failures())
    if not failed_ids:
        raise click.ClickException("Name the failed jobs to retry, or --all.")
    for failed_id in failed_ids:
        if runner.retry_failed(failed_id):
            click.echo(f"#{failed_id} queued again.")
        else:
            click.echo(f"#{failed_id} is not a failed job waiting for a retry.", err=True)


@jobs_cli.command("run-due")
def run_due_command() -> None:
    """Run the periodic tasks that are due (cron runs this every minute)."""
    for name, outcome in schedule.run_due():
        click.echo(f"{name}: {outcome}")


@jobs_cli.command("schedule")
@click.option("--tick", type=click.FloatRange(min=1), default=60.0, show_default=True)
def schedule_command(tick: float) -> None:
    """Run periodic tasks as they fall due until stopped (instead of cron)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Scheduler running {len(PERIODIC)} task(s); Ctrl-C stops it.")
    schedule.run_forever(stop, tick)


@jobs_cli.command("tasks")
def tasks_command() -> None:
    """List the periodic tasks with their interval, next run and last error."""
    rows = schedule.schedule_rows()
    for name, task in sorted(PERIODIC.items()):
        row = rows.get(name)
        next_run = f"{row.next_run_at:%Y-%m-%d %H:%M} UTC" if row else "at the next run"
        error = f" — last error: {row.last_error}" if row and row.last_error else ""
        click.echo(f"{name}: every {task.every}, next {next_run}{error}")
    db.session.commit()
