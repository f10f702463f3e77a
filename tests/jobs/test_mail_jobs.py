"""Mail is delivered by a job: inline without Redis, on RQ with it; an SMTP server that stalls
holds no request, a delivery that fails for good is listed for operators and can be retried."""

from __future__ import annotations

import time

import pytest
import requests
from rq import Queue
from sqlalchemy import select

from community.extensions import db
from community.jobs.models import FailedJob
from tests.core.outages import HungServer, closed_port
from tests.helpers import CSRF_RE, post_form
from tests.jobs.smtp_servers import RecordingSMTP


@pytest.fixture
def smtp():
    server = RecordingSMTP()
    yield server
    server.close()


@pytest.fixture
def hung_smtp():
    server = HungServer()
    yield server
    server.close()


def failures():
    db.session.expire_all()
    return list(db.session.scalars(select(FailedJob).order_by(FailedJob.id)))


def test_without_a_queue_mail_is_delivered_inline(app, client, member, outbox):
    assert app.config["JOB_QUEUE"] == "inline"
    post_form(client, "/account/forgot", {"email": member.email})
    assert [message["To"] for message in outbox()] == [member.email]
    assert failures() == []


def test_a_failed_delivery_is_recorded_then_retried_once(
    app_config, make_app, member, smtp, login, operator
):
    app = make_app({**app_config, "MAIL_URL": f"smtp://127.0.0.1:{closed_port()}"})
    client = app.test_client()
    with app.app_context():
        response = post_form(client, "/account/forgot", {"email": member.email})
        assert response.status_code in (200, 302)
        [failed] = failures()
        assert failed.name == "mail.deliver" and failed.retried_at is None
        assert member.email in failed.summary and "ConnectionRefusedError" in failed.error
        listed = app.test_cli_runner().invoke(args=["jobs", "failed"])
        assert f"#{failed.id}" in listed.output and member.email in listed.output

        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
        result = app.test_cli_runner().invoke(args=["jobs", "retry", "--all"])
        assert result.exit_code == 0, result.output
        assert [message["To"] for message in smtp.messages] == [member.email]
        again = app.test_cli_runner().invoke(args=["jobs", "retry", str(failed.id)])
        assert "not a failed job" in again.output
        assert len(smtp.messages) == 1
        assert "No failed jobs." in app.test_cli_runner().invoke(args=["jobs", "failed"]).output


def test_operators_see_failed_jobs_and_retry_them(app, client, login, operator, member, smtp):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{closed_port()}"
    post_form(client, "/account/forgot", {"email": member.email})
    [failed] = failures()

    login(client, member)
    refused = client.get("/operator/jobs")
    assert refused.status_code == 403 and "mail.deliver" not in refused.get_data(as_text=True)

    login(client, operator)
    page = client.get("/operator/jobs").get_data(as_text=True)
    assert f'data-failed-job="{failed.id}"' in page and member.email in page
    assert "billing.renewal-reminders" in page and "qa.notification-mail" in page

    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
    retried = post_form(client, f"/operator/jobs/{failed.id}/retry", {}, page="/operator/jobs")
    assert retried.status_code == 302
    assert [message["To"] for message in smtp.messages] == [member.email]
    assert f'data-failed-job="{failed.id}"' not in client.get("/operator/jobs").get_data(
        as_text=True
    )
    forged = client.post(f"/operator/jobs/{failed.id}/retry")
    assert forged.status_code == 400 and len(smtp.messages) == 1


@pytest.mark.services
def test_a_stalled_smtp_server_holds_no_request_and_the_worker_retries(
    app_config, make_app, member, hung_smtp, smtp, redis_url
):
    from tests.conftest import serving

    app = make_app(
        {
            **app_config,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_URL": f"smtp://127.0.0.1:{hung_smtp.port}",
            "MAIL_TIMEOUT": 0.5,
            "JOB_RETRY_DELAYS": (0, 0),
        }
    )
    assert app.config["JOB_QUEUE"] == "rq"
    with serving(app) as base:
        browser = requests.Session()
        token = CSRF_RE.search(browser.get(f"{base}/account/forgot", timeout=10).text)
        started = time.monotonic()
        response = browser.post(
            f"{base}/account/forgot",
            data={"csrf_token": token.group(1) or token.group(2), "email": member.email},
            timeout=10,
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 200 and elapsed < 0.5 * 3
    assert hung_smtp.held == []

    with app.app_context():
        queue = Queue("community", connection=app.extensions["job_queue"].connection)
        assert queue.count == 1
        worker = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert worker.exit_code == 0, worker.output
        assert len(hung_smtp.held) == 3
        [failed] = failures()
        assert failed.attempts == 3 and "timed out" in failed.error

        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp.port}"
        assert app.test_cli_runner().invoke(args=["jobs", "retry", str(failed.id)]).exit_code == 0
        assert smtp.messages == []
        app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
        assert [message["To"] for message in smtp.messages] == [member.email]


@pytest.mark.services
def test_queued_jobs_retry_with_growing_delays(app_config, make_app, redis_url):
    app = make_app({**app_config, "REDIS_URL": redis_url, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        from community.mail import send_email

        send_email("someone@example.com", "subject", "verify", user=None, link="x")
        [queued] = app.extensions["job_queue"].jobs
        assert queued.retries_left == 3 and queued.retry_intervals == [30, 300, 1800]


def test_a_queue_that_cannot_be_reached_does_not_lose_mail(app_config, make_app, outbox, caplog):
    app = make_app({**app_config, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"})
    with app.app_context():
        from community.mail import send_email

        send_email("someone@example.com", "标题", "verify", user=None, link="https://x")
    assert [message["To"] for message in outbox()] == ["someone@example.com"]
    assert "job queue unreachable" in caplog.text


def test_retry_delays_come_from_the_environment(monkeypatch, tmp_path):
    from community import create_app

    monkeypatch.setenv("JOB_RETRY_DELAYS", "10,60")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["JOB_RETRY_DELAYS"] == (10, 60)


def test_metrics_count_the_jobs_waiting_on_the_queue(app_config, make_app, redis_url):
    from tests.operations.test_observability import sample

    app = make_app(
        {
            **app_config,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "METRICS_TOKEN": "metrics-token",
        }
    )
    with app.app_context():
        from community.mail import send_email

        for number in range(2):
            send_email(f"someone{number}@example.com", "标题", "verify", user=None, link="x")
    scrape = app.test_client().get("/metrics", headers={"Authorization": "Bearer metrics-token"})
    assert scrape.status_code == 200
    assert (
        sample(scrape.get_data(as_text=True), "community_job_queue_depth", queue="community") == 2
    )
