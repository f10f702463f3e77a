"""Logs an operator can follow: a request id on every line and response, JSON lines in
production, and one line per request naming its route (never its path or query, which may
carry feed tokens or search words).

The request id is the client's (or the proxy's) `X-Request-ID` when it is sane (1 to 128
letters, digits and `-_.:`), otherwise a new one; it is sent back in `X-Request-ID`.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
access_log = logging.getLogger("community.access")


def request_id() -> str:
    """This request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Give every record the id of the request it was logged in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id()
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and extra fields."""

    EXTRA = ("method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        entry.update({key: getattr(record, key) for key in self.EXTRA if hasattr(record, key)})
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonLines.converter = time.gmtime


def log_handler(log_format: str) -> logging.Handler:
    """A stderr handler writing `json` lines or text, each with its request id."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(app: Flask) -> None:
    """Set up the root logger once per process (a host process's own setup is kept)."""
    root = logging.getLogger()
    if root.handlers:
        return
    log_format = app.config["LOG_FORMAT"] or (
        "json" if app.config["ENV_NAME"] == "production" else "text"
    )
    root.addHandler(log_handler(log_format))
    root.setLevel(logging.INFO)


def send_request_id(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def log_request(response):
    """One line per request: method, route, status and time taken."""
    started = g.get("request_started")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.url_rule.rule if request.url_rule else "unrouted"
    access_log.info(
        "%s %s %s %sms",
        request.method,
        route,
        response.status_code,
        duration,
        extra={
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": duration,
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.after_request(send_request_id)
    if app.config["ACCESS_LOG"]:
        app.after_request(log_request)
