"""Request ids, JSON log lines and Prometheus metrics behind a token or an allow-list."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from community import metrics
from community.extensions import db
from community.feeds import services as feeds
from community.request_log import log_handler
from community.search.models import SearchChange
from tests.conftest import PASSWORD
from tests.helpers import post_form
from tests.operations.test_doctor import closed_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-for-tests"


@pytest.fixture
def json_lines():
    """Log lines as production writes them, captured from the root logger."""
    stream = io.StringIO()
    handler = log_handler("json")
    handler.setStream(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(previous)


def test_every_response_carries_a_request_id(client):
    ids = set()
    for path in ("/", "/no-such-page", "/healthz"):
        response = client.get(path)
        assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"]), path
        ids.add(response.headers["X-Request-ID"])
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("edge-7f3a.42:1", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("has space", False),
        ("<script>", False),
        ("", False),
    ],
)
def test_a_sane_incoming_request_id_is_kept_and_others_replaced(client, given, kept):
    response = client.get("/", headers={"X-Request-ID": given})
    assert (response.headers["X-Request-ID"] == given) is kept


def test_log_lines_are_json_with_the_request_id_and_no_path_values(app, client, member, json_lines):
    url = f"/feeds/{feeds.url_token(feeds.rotate_token(member))}/qa-newest.atom"
    db.session.commit()
    token = url.split("/")[2]
    response = client.get(url + "?secret=words", headers={"X-Request-ID": "feed-read-1"})
    assert response.status_code == 200
    lines = json_lines()
    access = [line for line in lines if line["logger"] == "community.access"]
    assert access == [
        {
            "time": access[0]["time"],
            "level": "INFO",
            "logger": "community.access",
            "message": access[0]["message"],
            "request_id": "feed-read-1",
            "method": "GET",
            "route": "/feeds/<token>/<name>.atom",
            "status": 200,
            "duration_ms": access[0]["duration_ms"],
        }
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access[0]["time"])
    text = json.dumps(lines, ensure_ascii=False)
    assert token not in text and "secret=words" not in text


def test_a_failure_is_logged_as_one_json_line_with_its_request_id(
    app_config, make_app, tmp_path, json_lines
):
    site = make_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite"}
    )
    response = site.test_client().get("/qa/", headers={"X-Request-ID": "outage-1"})
    assert response.status_code == 503
    failures = [line for line in json_lines() if line["level"] in ("WARNING", "ERROR")]
    assert failures and all(line["request_id"] == "outage-1" for line in failures)


def test_production_writes_json_lines(tmp_path):
    env = {
        **os.environ,
        "COMMUNITY_ENV": "production",
        "SECRET_KEY": "s" * 40,
        "SITE_URL": "https://community.example.com",
        "INSTANCE_PATH": str(tmp_path),
        "FLASK_APP": "community",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_URL", "LOG_FORMAT"):
        env.pop(name, None)
    run = subprocess.run(
        [sys.executable, "-m", "flask", "doctor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    summary = [line for line in lines if line["logger"] == "community.startup"]
    assert summary[0]["message"].startswith("starting in production on database: sqlite:///")
    assert {line["level"] for line in summary} == {"INFO", "WARNING"}


def test_metrics_are_not_there_until_a_token_or_allow_list_is_set(app, client):
    assert client.get("/metrics").status_code == 404
    app.config["METRICS_TOKEN"] = TOKEN
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 403
    right = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right.headers["Cache-Control"] == "no-store"


def test_metrics_allow_list_by_client_address(app, client):
    app.config["METRICS_ALLOW"] = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403
    app.config["METRICS_ALLOW"] = ["10.0.0.0/8", "127.0.0.0/8"]
    assert client.get("/metrics").status_code == 200


def test_an_allow_list_that_is_not_addresses_is_refused_at_start(monkeypatch, tmp_path):
    from community import create_app

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("METRICS_ALLOW", "127.0.0.1, intranet")
    with pytest.raises(RuntimeError, match="METRICS_ALLOW"):
        create_app()


def sample(text: str, name: str, **labels) -> float:
    """A sample's value in Prometheus's text format (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_metrics_report_latency_logins_webhooks_queues_and_search_lag(app, client, member):
    app.config["METRICS_TOKEN"] = TOKEN
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    before = client.get("/metrics", headers=bearer).get_data(as_text=True)
    for _ in range(3):
        assert client.get("/qa/").status_code == 200
    refused = post_form(client, "/account/login", {"email": member.email, "password": "wrong!"})
    assert refused.status_code == 400
    assert post_form(client, "/account/login", {"email": member.email, "password": PASSWORD})
    webhook = client.post("/billing/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "x"})
    assert webhook.status_code == 400
    db.session.add_all(SearchChange(document_id=n) for n in range(2))
    db.session.commit()
    metrics.register_queue_depth("mail", lambda: 7)
    try:
        after = client.get("/metrics", headers=bearer).get_data(as_text=True)
    finally:
        metrics.QUEUE_DEPTHS.pop("mail")
    histogram = "community_request_seconds_count"
    labels = {"endpoint": "qa.index", "method": "GET"}
    assert sample(after, histogram, **labels) - sample(before, histogram, **labels) == 3
    failed = "community_failed_logins_total"
    assert sample(after, failed) - sample(before, failed) == 1
    outcome = {"provider": "stripe", "outcome": "bad_signature"}
    webhooks = "community_webhook_events_total"
    assert sample(after, webhooks, **outcome) - sample(before, webhooks, **outcome) == 1
    assert sample(after, "community_job_queue_depth", queue="mail") == 7
    assert sample(before, "community_job_queue_depth", queue="none") == 0
    assert sample(after, "community_search_outbox_pending") == 2
    assert sample(after, "community_search_outbox_oldest_seconds") >= 0


def test_gunicorn_workers_add_up_in_one_scrape(tmp_path):
    """Two workers count requests in their own files; any worker's /metrics sums them."""
    instance = tmp_path / "instance"
    env = {**os.environ, "INSTANCE_PATH": str(instance), "FLASK_APP": "community"}
    for name in ("DATABASE_URL", "REDIS_URL", "MAIL_URL", "PROMETHEUS_MULTIPROC_DIR"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = closed_port()
    env.update(
        BIND=f"127.0.0.1:{port}",
        METRICS_TOKEN=TOKEN,
        COMMUNITY_ENV="production",
        SECRET_KEY="s" * 40,
        SITE_URL=f"http://127.0.0.1:{port}",
    )
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn_conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        # Workers import the whole app first: long on a busy machine.
        deadline = time.monotonic() + 120
        while True:
            try:
                requests.get(base + "/healthz", timeout=30)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda _n: requests.get(base + "/pricing", timeout=10), range(40))
            )
        assert {answer.status_code for answer in answers} == {200}
        scraped = requests.get(
            base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60
        ).text
        labels = {"endpoint": "billing.pricing", "method": "GET"}
        assert sample(scraped, "community_request_seconds_count", **labels) == 40
        assert list((instance / "prometheus").glob("histogram_*.db"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_access_lines_can_be_left_to_the_proxy(app_config, make_app, json_lines):
    site = make_app({**app_config, "ACCESS_LOG": False})
    response = site.test_client().get("/pricing")
    assert response.status_code == 200 and response.headers["X-Request-ID"]
    assert [line for line in json_lines() if line["logger"] == "community.access"] == []


def test_text_lines_carry_the_request_id_too(app, client):
    stream = io.StringIO()
    handler = log_handler("text")
    handler.setStream(stream)
    access = logging.getLogger("community.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        client.get("/qa/", headers={"X-Request-ID": "text-line-1"})
    finally:
        access.removeHandler(handler)
        access.setLevel(logging.NOTSET)
    assert "INFO community.access [text-line-1]: GET /qa/ 200" in stream.getvalue()
