"""The database goes away under a real server: every request gets a calm 503 with Retry-After
(JSON under /api/), visitors and signed-in members alike, the logs stay small and carry no SQL
values, and the site answers again by itself once the database is back.

On PostgreSQL the site reaches the server through a TCP gate: the outage terminates the site's
backends (pg_terminate_backend) and the gate refuses new connections, as during a restart. On
SQLite the database's folder is moved away and the pool emptied, so no connection can open it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, make_url, text

from community.accounts import sign_ins, tokens
from community.extensions import db
from tests.conftest import serving
from tests.core.outages import TcpGate

RETRY_AFTER = 7
CONCURRENT = 32


class SqliteOutage:
    """A copy of the test database in a folder of its own, moved away during the outage."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.folder, self.away = folder, folder.with_name(folder.name + "-away")
        folder.mkdir(parents=True)
        source = sqlite3.connect(make_url(database_url).database)
        copy = sqlite3.connect(folder / "site.db")
        source.backup(copy)
        copy.close()
        source.close()
        self.url = f"sqlite:///{folder / 'site.db'}"

    def cut(self, site) -> None:
        os.rename(self.folder, self.away)
        # Open connections keep reading the moved file; a pool refilled after a restart would not.
        with site.app_context():
            db.engine.dispose()

    def restore(self) -> None:
        os.rename(self.away, self.folder)

    def close(self) -> None:
        if self.away.exists():
            self.restore()


class PostgresOutage:
    """The site connects through a gate under an application name of its own."""

    def __init__(self, database_url: str) -> None:
        self.direct = make_url(database_url)
        self.gate = TcpGate((self.direct.host or "127.0.0.1", self.direct.port or 5432))
        self.name = f"outage-{uuid.uuid4().hex[:12]}"
        gated = self.direct.set(host="127.0.0.1", port=self.gate.port)
        self.url = gated.update_query_dict({"application_name": self.name}).render_as_string(
            hide_password=False
        )

    def cut(self, site) -> None:
        engine = create_engine(self.direct)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name"
                ),
                {"name": self.name},
            )
        engine.dispose()
        self.gate.shut()

    def restore(self) -> None:
        self.gate.reopen()

    def close(self) -> None:
        self.gate.close()


@pytest.fixture
def make_outage(database_url, tmp_path):
    """An outage for the suite's database, made once the test's rows are committed (a SQLite
    copy is taken then)."""
    made = []

    def make():
        if database_url.startswith("postgresql"):
            made.append(PostgresOutage(database_url))
        else:
            made.append(SqliteOutage(database_url, tmp_path / "data"))
        return made[-1]

    yield make
    for outage in made:
        outage.close()


def session_cookie(app, user) -> dict:
    """The cookie of a new signed-in session, signed as `app` signs it."""
    sign_ins.open_sign_in(user)
    db.session.commit()
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    return {app.config["SESSION_COOKIE_NAME"]: value}


def formatted(records) -> list[str]:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return [formatter.format(record) for record in records if record.name != "werkzeug"]


def test_database_outage_answers_503_and_recovers(
    app, app_config, make_app, make_user, make_outage, caplog
):
    member = make_user(email="reader@example.com", name="读者小王", tier="member")
    # Pages read in English for this member; the 503 must not load them to find out.
    member.locale = "en"
    _token, bearer = tokens.create_api_token(member, "outage")
    db.session.commit()
    # The site signs with the same secret; the sign-in is in the database before any copy.
    signed_in = session_cookie(app, member)
    outage = make_outage()
    site = make_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": outage.url,
            "TESTING": False,
            "DATABASE_RETRY_AFTER": RETRY_AFTER,
        }
    )
    api = {"Authorization": f"Bearer {bearer}"}
    # (path, cookies, headers, what the answer must say)
    asks = [
        ("/", {}, {}, "网站暂时无法访问"),
        ("/qa/", {}, {}, "网站暂时无法访问"),
        ("/pricing", {"lang": "en"}, {}, "The site is briefly unavailable"),
        ("/", signed_in, {}, "网站暂时无法访问"),
        ("/billing", signed_in, {}, "网站暂时无法访问"),
        ("/qa/", {**signed_in, "lang": "en"}, {}, "The site is briefly unavailable"),
        ("/api/v1/me", signed_in, {}, None),
        ("/api/v1/me", {}, api, None),
    ]
    with serving(site) as base:
        assert requests.get(base + "/", timeout=10).status_code == 200
        before = requests.get(base + "/billing", cookies=signed_in, timeout=10)
        assert before.status_code == 200 and "读者小王" in before.text

        outage.cut(site)
        caplog.clear()
        caplog.set_level(logging.INFO)

        def ask(number: int):
            path, cookies, headers, says = asks[number % len(asks)]
            started = time.monotonic()
            response = requests.get(base + path, cookies=cookies, headers=headers, timeout=30)
            return path, says, response, time.monotonic() - started

        with ThreadPoolExecutor(CONCURRENT) as pool:
            answers = list(pool.map(ask, range(CONCURRENT)))
        log_lines = formatted(caplog.records)

        for path, says, response, seconds in answers:
            assert response.status_code == 503, (path, response.text[:300])
            assert response.headers["Retry-After"] == str(RETRY_AFTER)
            assert seconds < 10, path
            if says is None:
                body = response.json()
                assert set(body) == {"error", "status", "message"}
                assert body["status"] == 503
            else:
                assert says in response.text
                assert "读者小王" not in response.text

        # One line per failed request, a traceback for each distinct cause, nothing more.
        failed = [line for line in log_lines if "database unavailable on GET" in line]
        assert len(failed) == CONCURRENT
        assert sum("\nTraceback (most recent call last)" in line for line in log_lines) <= 2
        assert sum(len(line) for line in log_lines) < 32 * 1024
        assert not any("[SQL:" in line or "[parameters:" in line for line in log_lines)
        # A page that does not exist is still a 404: its page, which reads the viewer, gives way
        # to one built from the request alone.
        missing = requests.get(base + "/no-such-page", cookies=signed_in, timeout=10)
        assert missing.status_code == 404 and "<h1>" in missing.text
        health = requests.get(base + "/readyz", timeout=10)
        assert health.status_code == 503 and health.json()["database"] == "unreachable"

        outage.restore()
        deadline = time.monotonic() + 20
        while True:
            page = requests.get(base + "/", cookies=signed_in, timeout=10)
            if page.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert page.status_code == 200
        assert "读者小王" in page.text
        me = requests.get(base + "/api/v1/me", headers=api, timeout=10)
        assert me.status_code == 200 and me.json()["email"] == "reader@example.com"


def test_a_connection_dropped_before_the_request_ends_still_sends_the_response(
    app, client, database_url
):
    """The server closes the request's connection after its page is built (a restart at that
    moment): ending the session fails its rollback, and the page is still sent, not a 500."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend needs TEST_DATABASE_URL")
    killer = create_engine(database_url)

    @app.after_request
    def drop_the_connection(response):
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with killer.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return response

    try:
        answer = client.get("/qa/")
    finally:
        killer.dispose()
    assert answer.status_code == 200
