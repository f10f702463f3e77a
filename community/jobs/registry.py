"""What can run: jobs by name, and periodic tasks with their interval. Domains register here at
import time; the job layer finds their functions by name, so it imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[..., object]
    # A line for operators about one job's arguments (never its private content).
    describe: Callable[..., str]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: timedelta
    run: Callable[[], object]
    # How long a run may hold the task before another runner may take it over (a crashed run).
    lease: timedelta


JOBS: dict[str, JobKind] = {}
PERIODIC: dict[str, PeriodicTask] = {}


def job(name: str, describe: Callable[..., str] | None = None):
    """Register the decorated function as the job `name`; its arguments must be JSON values."""

    def register(function):
        JOBS[name] = JobKind(name, function, describe or (lambda *args: name))
        return function

    return register


def periodic(name: str, every: timedelta, lease: timedelta = timedelta(minutes=30)):
    """Register the decorated function to run every `every` (idempotent: it may run late, or
    again after a crash, and must do no harm)."""

    def register(function):
        PERIODIC[name] = PeriodicTask(name, every, function, lease)
        return function

    return register


def job_kind(name: str) -> JobKind:
    try:
        return JOBS[name]
    except KeyError:
        raise LookupError(f"no job is registered as {name!r}") from None
