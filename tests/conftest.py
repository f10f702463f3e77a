"""Shared fixtures: a fresh app per test on a migrated database, and users by role."""

from __future__ import annotations

import email
import email.policy
import os
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, text
from werkzeug.serving import make_server

from community import create_app
from community.accounts import services, sign_ins
from community.accounts.models import Role
from community.clock import utcnow
from community.extensions import db
from community.membership.models import MembershipPeriod
from community.membership.tiers import seed_default_tiers, tier_by_slug

PASSWORD = "correct horse battery"
IN_CI = bool(os.environ.get("CI"))


def require_service(name: str, available: bool) -> None:
    """Skip locally when a service is missing; in CI a missing service is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{name} is required in CI but is not reachable", pytrace=False)
    pytest.skip(f"{name} is not reachable")


def base_config(database_url: str, instance: Path) -> dict:
    return {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-long-enough-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance),
        "OUTBOX_DIR": str(instance / "outbox"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Compile translation catalogs that are missing or older than their .po (make does too)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in Path(__file__).parent.parent.glob(
        "community/translations/*/LC_MESSAGES/messages.po"
    ):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)


def worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own beside the given one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        known = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).scalar()
        if not known:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A database migrated to head once per session: PostgreSQL when TEST_DATABASE_URL is set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if url.startswith("postgresql://")
            else url
        )
        url = worker_database(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    app = create_app(base_config(url, tmp_path_factory.mktemp("migrate")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


# Every sequence of the schema back to 1, as a new database has them.
RESTART_SEQUENCES = (
    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
    " WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
)


def clear_database() -> None:
    """Empty every table, children first. On PostgreSQL this DELETE, with the sequences reset,
    takes about 30 ms where a TRUNCATE of the same tables took about a second (a new file per
    table and index, each synced), once per test."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(text(f"DELETE FROM {table.name}"))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text(RESTART_SEQUENCES))
    db.session.commit()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """The mapping given to create_app; a test may change it before asking for `app`."""
    return base_config(database_url, tmp_path / "instance")


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: fresh `g`, fresh DB session.

    Without this, requests reuse the app context the `app` fixture pushed, and `g` (where
    Flask-Login keeps the current user) would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        clear_database()
        seed_default_tiers()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app():
    """Create extra apps (a second worker, a production config); their pools close afterwards."""
    apps = []

    def make(config=None):
        extra = create_app(config)
        extra.test_client_class = IsolatedClient
        apps.append(extra)
        return extra

    yield make
    for extra in apps:
        with extra.app_context():
            for engine in db.engines.values():
                engine.dispose()


def read_whole(wsgi_app):
    """Each response read and its file closed before the server writes it. Werkzeug's server
    leaves a static file open when the browser drops the connection part-way (a page left
    while its script loads), and the ResourceWarning would fail whichever test runs then."""

    def app(environ, start_response):
        body = wsgi_app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return app


@contextmanager
def serving(app):
    """Serve `app` on 127.0.0.1 at a free port, a thread per request, as a real server does;
    yields the base URL (no trailing slash)."""
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    # Links in mail point at SITE_URL: here, this server.
    app.config["SITE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The test's app served by `serving`; yields the base URL."""
    # Links built with url_for(..., _external=True) then use the host the client asked for.
    app.config["SERVER_NAME"] = None
    with serving(app) as base:
        yield base


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a verified user; `tier=` gives them an active period on that tier."""
    counter = {"n": 0}

    def make(
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        role: str = Role.MEMBER,
        tier: str | None = None,
        days: int = 365,
        verified: bool = True,
        inviter=None,
    ):
        counter["n"] += 1
        n = counter["n"]
        user = services.register_user(
            email or f"user{n}@example.com",
            name or f"用户{n}",
            password,
            role=role,
            inviter=inviter,
        )
        if verified:
            user.email_verified_at = utcnow()
        if tier:
            grant_period(user, tier, days)
        db.session.commit()
        return user

    return make


def grant_period(user, tier_slug: str, days: int, start=None):
    start = start or utcnow() - timedelta(days=1)
    period = MembershipPeriod(
        user_id=user.id,
        tier_id=tier_by_slug(tier_slug).id,
        starts_at=start,
        ends_at=start + timedelta(days=days),
        source="comp",
        reason="test",
    )
    db.session.add(period)
    db.session.flush()
    return period


@pytest.fixture
def free_user(make_user):
    return make_user(email="free@example.com", name="免费用户")


@pytest.fixture
def member(make_user):
    return make_user(email="member@example.com", name="会员小李", tier="member")


@pytest.fixture
def pro_member(make_user):
    return make_user(email="pro@example.com", name="专业会员老陈", tier="pro")


@pytest.fixture
def operator(make_user):
    return make_user(email="operator@example.com", name="运营小林", role=Role.OPERATOR)


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.com", name="站长", role=Role.ADMIN)


@pytest.fixture
def mallory(make_user):
    """A paying member who tries what she must not."""
    return make_user(email="mallory@example.com", name="Mallory", tier="member")


def log_in(client, user) -> None:
    """Sign `user` in on `client` without going through the form (a sign-in of its own)."""
    sign_ins.open_sign_in(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login():
    return log_in


@pytest.fixture
def outbox(app):
    """The messages written to the outbox, oldest first, parsed."""
    directory = Path(app.config["OUTBOX_DIR"])

    def read():
        if not directory.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(directory.glob("*.eml"))
        ]

    return read


@pytest.fixture
def count_queries(app):
    """Count SQL statements issued inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting
