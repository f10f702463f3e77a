"""/healthz says the process is alive; /readyz says whether it can serve, with reasons."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.clock import utcnow
from community.extensions import db
from community.search.models import SearchChange
from tests.conftest import require_service
from tests.core.test_services_config import redis_reachable
from tests.operations.test_doctor import closed_port


def test_healthz_is_alive_with_the_version_and_touches_no_service(app_config, make_app, tmp_path):
    site = make_app(
        {
            **app_config,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/db.sqlite",
            "VERSION": "2026.12.1",
        }
    )
    response = site.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": "2026.12.1"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_with_nothing_waiting(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["search_pending"] == 0 and "redis" not in body
    assert body["version"]


def test_readyz_is_not_ready_while_search_changes_pile_up(app, client):
    app.config["READY_MAX_PENDING_CHANGES"] = 3
    db.session.add_all(SearchChange(document_id=n) for n in range(4))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["search_pending"] == 4
    assert body["reasons"] == ["4 search changes wait (more than 3)"]


def test_readyz_is_not_ready_while_the_oldest_change_waits_too_long(app, client):
    app.config["READY_MAX_PENDING_SECONDS"] = 60
    db.session.add(SearchChange(document_id=1, created_at=utcnow() - timedelta(minutes=5)))
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert 299 <= body["search_oldest_seconds"] <= 330
    assert "is the indexer running?" in body["reasons"][0]


def test_readyz_checks_redis_when_configured(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "unreachable"
    assert response.get_json()["reasons"] == ["Redis cannot be reached"]


@pytest.mark.services
def test_readyz_with_a_live_redis(app, client):
    require_service("Redis", redis_reachable())
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/4"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["redis"] == "ok"
