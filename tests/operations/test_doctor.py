"""`flask doctor`: every configured service reached, and what is wrong said in plain words."""

from __future__ import annotations

import socket
import socketserver
import threading

import pytest

from community.extensions import db
from community.search.indexer import ensure_index
from community.search.service import search_service
from tests.billing.fake_stripe import start_fake_stripe
from tests.conftest import require_service
from tests.core.test_services_config import redis_reachable

REDIS = "redis://127.0.0.1:6379/4"


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GreetingSmtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for a greeting: 220, EHLO, QUIT."""

    def handle(self):
        self.wfile.write(b"220 mail.test ESMTP\r\n")
        for line in self.rfile:
            verb = line.strip().split(b" ")[0].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 mail.test\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"502 not here\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), GreetingSmtp)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"smtp://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_stripe():
    fake, server, _thread = start_fake_stripe()
    yield fake
    server.shutdown()
    server.server_close()


def run_doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_everything_reachable_is_no_problem(app, smtp_server, fake_stripe):
    require_service("Redis", redis_reachable())
    ensure_index()
    search_service().backend.close()
    db.session.commit()
    app.config.update(
        REDIS_URL=REDIS,
        MAIL_URL=smtp_server,
        STRIPE_SECRET_KEY="sk_test_doctor",
        STRIPE_WEBHOOK_SECRET="whsec_doctor",
        STRIPE_API_BASE=fake_stripe.url,
    )
    code, output = run_doctor(app)
    assert code == 0, output
    assert "PROBLEM" not in output
    for subject in ("database", "Redis", "mail", "Stripe", "search"):
        assert f"ok      {subject}:" in output
    assert "No problems found." in output
    assert fake_stripe.calls_to("GET", "/v1/prices")


def test_unreachable_services_are_each_named_and_fail(app):
    app.config.update(
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        MAIL_URL=f"smtp://user:mail-secret@127.0.0.1:{closed_port()}",
        STRIPE_SECRET_KEY="sk_test_doctor",
        STRIPE_WEBHOOK_SECRET="whsec_doctor",
        STRIPE_API_BASE=f"http://127.0.0.1:{closed_port()}",
        LOGIN_LIMIT_PER_IP="thirty per ten minutes",
    )
    code, output = run_doctor(app)
    assert code == 1
    assert "PROBLEM Redis:" in output and "does not answer" in output
    assert "rate limits fall back to each worker's memory" in output
    assert "PROBLEM mail: smtp://user:***@127.0.0.1" in output and "cannot be reached" in output
    assert "PROBLEM Stripe:" in output and "cannot be reached" in output
    assert "PROBLEM LOGIN_LIMIT_PER_IP:" in output
    assert "mail-secret" not in output


def test_stripe_refusing_the_key_is_said_so(app, fake_stripe, monkeypatch):
    def refuse(method, path, params):
        return 401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}

    monkeypatch.setattr(fake_stripe, "answer", refuse)
    app.config.update(
        STRIPE_SECRET_KEY="sk_test_wrong",
        STRIPE_WEBHOOK_SECRET="whsec_doctor",
        STRIPE_API_BASE=fake_stripe.url,
    )
    code, output = run_doctor(app)
    assert code == 1
    assert "refused STRIPE_SECRET_KEY" in output


def test_an_unreachable_database_and_a_missing_index(app_config, make_app, tmp_path):
    port = closed_port()
    site = make_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{port}/none",
            "DATABASE_CONNECT_TIMEOUT": 2,
            "SEARCH_INDEX_DIR": str(tmp_path / "no-index"),
        }
    )
    code, output = run_doctor(site)
    assert code == 1
    assert f"PROBLEM database: postgresql+psycopg://postgres@127.0.0.1:{port}/none" in output
    assert "cannot be reached" in output
    assert "PROBLEM search: not checked" in output


def test_a_database_without_migrations_says_to_upgrade(app_config, make_app, tmp_path):
    site = make_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    code, output = run_doctor(site)
    assert code == 1
    assert "is at migration none" in output and "run flask db upgrade" in output


def test_a_missing_search_index_says_to_reindex(app, tmp_path):
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "never-built")
    app.extensions.pop("search", None)
    code, output = run_doctor(app)
    assert code == 1
    assert "PROBLEM search: whoosh has no usable index: run flask search reindex" in output
