"""Shared pieces of the Q&A search tests: both backends, and running the indexer once."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.access import ANY_MEMBER
from community.search.indexer import ensure_index
from community.search.outbox import apply_all
from community.search.service import search_service

BACKENDS = ["whoosh", "postgres"]


def backend_config(app_config: dict, name: str, database_url: str) -> dict:
    if name == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend needs TEST_DATABASE_URL")
    return {**app_config, "SEARCH_BACKEND": name}


@pytest.fixture(autouse=True)
def search_index(app):
    """An empty index built before the test makes its rows (a rebuild expunges the session)."""
    ensure_index()
    yield
    search_service().backend.close()


def run_indexer() -> int:
    """What the indexer does after commits: apply the outbox."""
    applied = apply_all(search_service().backend)
    db.session.commit()
    return applied


def found_ids(text: str) -> list[int]:
    """What a member (who reads everything) finds."""
    return [hit.id for hit in search_service().search(text, reader=ANY_MEMBER).hits]
