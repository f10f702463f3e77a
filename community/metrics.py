"""Prometheus metrics: request latency by endpoint, and what domains count or report.

Counters and histograms live in each process; under gunicorn, set `PROMETHEUS_MULTIPROC_DIR`
to an empty folder before the workers start (gunicorn_conf.py clears it and marks dead workers)
and `/metrics` adds up every worker's files. Values a scrape asks the database or a queue for
(search lag, job queue depth) are registered as readers and read by the worker that answers.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from flask import Flask, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from community.failure_log import log_failure

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "community_request_seconds",
    "Time to answer a request, by endpoint and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RESPONSES = Counter(
    "community_responses_total", "Responses by endpoint and status code.", ["endpoint", "status"]
)
FAILED_LOGINS = Counter("community_failed_logins_total", "Sign-ins refused for a wrong password.")
WEBHOOK_EVENTS = Counter(
    "community_webhook_events_total",
    "Payment provider webhooks by provider and outcome.",
    ["provider", "outcome"],
)

# name -> (help, read): gauges read at each scrape by the worker that answers it.
READERS: dict[str, tuple[str, Callable[[], float]]] = {}
QUEUE_DEPTHS: dict[str, Callable[[], int]] = {}


def register_reader(name: str, help_text: str, read: Callable[[], float]) -> None:
    """Report `read()` as the gauge `name` at every scrape."""
    READERS[name] = (help_text, read)


def register_queue_depth(queue: str, depth: Callable[[], int | None]) -> None:
    """Let a job queue report how many jobs wait in it (`community_job_queue_depth`); `depth`
    answers None when the app answering the scrape does not use that queue."""
    QUEUE_DEPTHS[queue] = depth


def count_failed_login() -> None:
    FAILED_LOGINS.inc()


def count_webhook(provider: str, outcome: str) -> None:
    WEBHOOK_EVENTS.labels(provider, outcome).inc()


class ReadAtScrape:
    """The registered readers and queue depths, as gauges read when scraped."""

    def collect(self):
        depth = GaugeMetricFamily(
            "community_job_queue_depth",
            "Jobs waiting, by queue (0 with no queue).",
            labels=["queue"],
        )
        reported = False
        for queue, read in sorted(QUEUE_DEPTHS.items()):
            try:
                value = read()
            except Exception as error:  # a queue being away must not hide the other metrics
                log_failure(log, "metrics: queue %s could not be read", queue, error=error)
                continue
            if value is not None:
                depth.add_metric([queue], value)
                reported = True
        if not reported:
            depth.add_metric(["none"], 0)
        yield depth
        for name, (help_text, read) in sorted(READERS.items()):
            try:
                value = read()
            except Exception as error:  # a service being down must not hide the other metrics
                log_failure(log, "metrics: %s could not be read", name, error=error)
                continue
            yield GaugeMetricFamily(name, help_text, value=value)


def exposition() -> tuple[bytes, str]:
    """Every metric of every worker (or of this process), in Prometheus's text format."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    return generate_latest(registry) + generate_latest(scrape_registry()), CONTENT_TYPE_LATEST


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(ReadAtScrape())
    return registry


def start_timer() -> None:
    g.request_started = time.perf_counter()


def observe_request(response):
    """Latency and status by endpoint (the route's name: a bounded set, never a path)."""
    started = g.get("request_started")
    if started is not None:
        endpoint = request.endpoint or "unrouted"
        REQUEST_SECONDS.labels(endpoint, request.method).observe(time.perf_counter() - started)
        RESPONSES.labels(endpoint, str(response.status_code)).inc()
    return response


def init_app(app: Flask) -> None:
    app.before_request(start_timer)
    app.after_request(observe_request)
