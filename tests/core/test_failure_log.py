"""Failures are logged in a line each, a traceback once a minute per cause, and never with the
values of an SQL statement (members' questions and answers) or the statement itself."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import text

from community.extensions import db
from community.failure_log import TracebackThrottle, cause_of, describe
from community.search import indexer

SECRET = "会员的秘密答案 secret-answer-7f3a"
FAILING_INSERT = text("INSERT INTO no_such_table (body) VALUES (:body)")


def database_error() -> Exception:
    """The error a statement carrying SECRET raises (no such table, on either database)."""
    try:
        db.session.execute(FAILING_INSERT, {"body": SECRET})
    except Exception as error:
        db.session.rollback()
        return error
    raise AssertionError("the statement should have failed")


def logged_text(caplog) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_engine_hides_statement_values_in_errors(app):
    error = database_error()
    assert SECRET not in str(error)
    assert SECRET not in describe(error) and "INSERT" not in describe(error)


def test_a_failing_request_logs_no_sql_values(app, caplog):
    def boom():
        db.session.execute(FAILING_INSERT, {"body": SECRET})
        return "unreachable"

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    caplog.set_level(logging.INFO)
    for _attempt in range(3):
        response = app.test_client().get("/boom")
        assert response.status_code == 500
    logged = logged_text(caplog)
    assert logged.count("unhandled error on GET /boom") == 3
    assert logged.count("Traceback (most recent call last)") <= 2
    assert SECRET not in logged and "[SQL:" not in logged and "no_such_table (body)" not in logged


def test_search_worker_failures_log_no_sql_values_and_few_tracebacks(app, monkeypatch, caplog):
    calls = []

    def failing_apply(backend):
        calls.append(1)
        db.session.execute(FAILING_INSERT, {"body": SECRET})

    monkeypatch.setattr(indexer, "apply_all", failing_apply)
    caplog.set_level(logging.INFO)
    stop = threading.Event()
    worker = threading.Thread(target=indexer.run_indexer, args=(app, stop, 0.02))
    worker.start()
    try:
        while len(calls) < 10 and worker.is_alive():
            stop.wait(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)
    failures = [
        record for record in caplog.records if "search indexer failed" in record.getMessage()
    ]
    assert len(failures) >= 10
    logged = logged_text(caplog)
    assert logged.count("Traceback (most recent call last)") <= 2
    assert SECRET not in logged and "[SQL:" not in logged


def test_tracebacks_once_per_interval_for_each_cause(app):
    throttle = TracebackThrottle(interval=60)
    first, second = database_error(), database_error()
    other = ValueError("another cause")
    assert cause_of(first) == cause_of(second)
    assert throttle.allows(cause_of(first))
    assert not throttle.allows(cause_of(second))
    assert throttle.allows(cause_of(other))
    assert TracebackThrottle(interval=0).allows(cause_of(first))


@pytest.mark.parametrize("message", ["line one\nDETAIL: Key (email)=(a@b.c) exists", "x" * 1000])
def test_describe_keeps_the_first_line_short(message):
    described = describe(RuntimeError(message))
    assert "\n" not in described and "a@b.c" not in described and len(described) < 320
