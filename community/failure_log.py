"""Logging failures calmly: a line for each, a traceback once a minute per cause, no SQL values.

An outage fails every request the same way; a full chained traceback each time buried the logs
(45 MB in six seconds). SQLAlchemy's messages carry the statement and, unless the engine hides
them, its parameters: members' questions and answers. Lines here name the error's type and the
first line of the database's own message, never a statement.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback

from sqlalchemy.exc import StatementError

TRACEBACK_INTERVAL = 60.0
LINE_LIMIT = 300


def first_line(text: str) -> str:
    line = text.strip().partition("\n")[0].strip()
    return line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"


def describe(error: BaseException) -> str:
    """The error's type and the first line of its message; for SQL, the driver's message alone."""
    if isinstance(error, StatementError) and error.orig is not None:
        orig = error.orig
        return f"{type(error).__name__} ({type(orig).__name__}: {first_line(str(orig))})"
    return f"{type(error).__name__}: {first_line(str(error))}"


def chain_of(error: BaseException) -> list[BaseException]:
    """`error` and the exceptions it was raised from or while handling, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        context = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or context
    return chain


def safe_traceback(error: BaseException) -> str:
    """The frames of `error`'s chain, each exception named by `describe` (no SQL, no values)."""
    parts = [
        "Traceback (most recent call last):\n"
        + "".join(traceback.format_tb(failure.__traceback__))
        + describe(failure)
        for failure in reversed(chain_of(error))
    ]
    return "\n\nwhich led to:\n\n".join(parts)


def cause_of(error: BaseException) -> tuple:
    """What makes two failures the same: the types it was raised from, the database's error
    code, and the line that raised it (not what else was being handled at the time)."""
    causes: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in causes):
        causes.append(current)
        current = current.__cause__
    codes = [
        getattr(failure, "sqlstate", None) or getattr(failure, "sqlite_errorname", None)
        for failure in causes
    ]
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    place = (frames[-1].filename, frames[-1].lineno) if frames else None
    return (tuple(type(failure).__qualname__ for failure in causes), tuple(codes), place)


class TracebackThrottle:
    """Says yes once per `interval` seconds for each cause (per process)."""

    def __init__(self, interval: float = TRACEBACK_INTERVAL) -> None:
        self.interval = interval
        self.last: dict[tuple, float] = {}
        self.lock = threading.Lock()

    def allows(self, cause: tuple) -> bool:
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(cause, -self.interval) < self.interval:
                return False
            if len(self.last) > 1000:
                self.last = {
                    key: moment for key, moment in self.last.items() if now - moment < self.interval
                }
            self.last[cause] = now
            return True


throttle = TracebackThrottle()


def log_failure(
    logger: logging.Logger, message: str, *args, error: BaseException, level: int = logging.ERROR
) -> None:
    """Log `message % args` and what failed on one line; the first time in a minute this cause
    fails, the traceback follows in the same record."""
    line = f"{message % args if args else message}: {describe(error)}"
    if throttle.allows(cause_of(error)):
        logger.log(level, "%s\n%s", line, safe_traceback(error))
    else:
        logger.log(level, "%s", line)
