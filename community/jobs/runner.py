"""Running jobs: on an RQ queue in Redis when JOB_QUEUE is `rq` (the default with REDIS_URL),
retried with growing delays by `flask jobs worker`; inline, at once, otherwise. A job that fails
on its last attempt is recorded in `failed_jobs` for operators, in both modes."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, get_current_job
from sqlalchemy import insert, update

from community.clock import utcnow
from community.extensions import db
from community.jobs.models import FailedJob
from community.jobs.registry import job_kind
from community.metrics import register_queue_depth

log = logging.getLogger(__name__)
ERROR_LENGTH = 2000


def enqueue(name: str, *args) -> None:
    """Run the job `name` with `args` off the request (on the queue), or now when inline.

    A queue that cannot be reached does not lose the job: it runs here instead, logged."""
    job_kind(name)
    app = current_app._get_current_object()
    if app.config["JOB_QUEUE"] != "rq":
        run_inline(name, list(args))
        return
    delays = retry_delays(app)
    try:
        rq_queue(app).enqueue(
            perform,
            name,
            list(args),
            retry=Retry(max=len(delays), interval=delays) if delays else None,
            job_timeout=app.config["JOB_TIMEOUT"],
            description=name,
            meta={"attempts": len(delays) + 1},
        )
    except RedisError as error:
        log.warning("job queue unreachable (%s); running %s here", type(error).__name__, name)
        run_inline(name, list(args))


def queued() -> bool:
    """Whether jobs go to the queue for `flask jobs worker` (else `enqueue` runs them at once)."""
    return current_app.config["JOB_QUEUE"] == "rq"


def retry_delays(app: Flask) -> list[int]:
    return [int(delay) for delay in app.config["JOB_RETRY_DELAYS"]]


def redis_connection(app: Flask, blocking: bool = False) -> Redis:
    """A connection to REDIS_URL; a worker's (`blocking`) waits on the queue without a timeout."""
    timeout = app.config["REDIS_TIMEOUT"]
    return Redis.from_url(
        app.config["REDIS_URL"],
        socket_connect_timeout=timeout,
        socket_timeout=None if blocking else timeout,
    )


def rq_queue(app: Flask, connection: Redis | None = None) -> Queue:
    if connection is not None:
        return Queue(app.config["JOB_QUEUE_NAME"], connection=connection)
    queue = app.extensions.get("job_queue")
    if queue is None:
        queue = Queue(app.config["JOB_QUEUE_NAME"], connection=redis_connection(app))
        app.extensions["job_queue"] = queue
    return queue


def perform(name: str, args: list) -> None:
    """Run one attempt of a queued job in the worker (whose app context `flask jobs worker`
    holds); the last failed attempt is recorded before RQ sees the error."""
    try:
        job_kind(name).run(*args)
    except Exception as error:
        db.session.rollback()
        current = get_current_job()
        if current is None or not current.retries_left:
            attempts = current.meta.get("attempts", 1) if current is not None else 1
            record_failure(name, args, error, attempts)
        raise
    finally:
        db.session.remove()


def run_inline(name: str, args: list) -> None:
    """Run a job now; its failure is logged and recorded, never raised into the caller."""
    try:
        job_kind(name).run(*args)
    except Exception as error:
        log.exception("job %s failed", name)
        record_failure(name, args, error, attempts=1)


def record_failure(name: str, args: list, error: Exception, attempts: int) -> None:
    """Write the failure on a connection of its own, whatever the caller's transaction does."""
    try:
        summary = str(job_kind(name).describe(*args))[:300]
    except Exception:
        summary = name
    values = {
        "name": name,
        "arguments": args,
        "summary": summary,
        "error": f"{type(error).__name__}: {error}"[:ERROR_LENGTH],
        "attempts": attempts,
        "failed_at": utcnow(),
    }
    try:
        with db.engine.begin() as connection:
            connection.execute(insert(FailedJob).values(**values))
    except Exception:
        log.exception("could not record the failure of job %s", name)
    else:
        log.error("job %s failed after %d attempt(s): %s", name, attempts, values["error"])


def retry_failed(failed_id: int) -> bool:
    """Run a failed job again (once, however many operators ask at the same moment)."""
    claimed = db.session.execute(
        update(FailedJob)
        .where(FailedJob.id == failed_id, FailedJob.retried_at.is_(None))
        .values(retried_at=utcnow())
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    failed = db.session.get(FailedJob, failed_id)
    name, arguments = failed.name, list(failed.arguments)
    db.session.commit()
    enqueue(name, *arguments)
    return True


def queued_jobs(name: str):
    """How many jobs wait on the RQ queue `name`, read for the metrics of the app asked."""

    def count() -> int | None:
        config = current_app.config
        if config["JOB_QUEUE"] != "rq" or config["JOB_QUEUE_NAME"] != name:
            return None
        return rq_queue(current_app._get_current_object()).count

    return count


def init_app(app: Flask) -> None:
    app.config.setdefault("JOB_QUEUE", "rq" if app.config.get("REDIS_URL") else "inline")
    if app.config["JOB_QUEUE"] not in ("rq", "inline"):
        raise RuntimeError("JOB_QUEUE must be rq or inline")
    if app.config["JOB_QUEUE"] == "rq" and not app.config.get("REDIS_URL"):
        raise RuntimeError("JOB_QUEUE=rq needs REDIS_URL")
    if app.config["JOB_QUEUE"] == "rq":
        register_queue_depth(
            app.config["JOB_QUEUE_NAME"], queued_jobs(app.config["JOB_QUEUE_NAME"])
        )
