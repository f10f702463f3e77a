"""Search fixtures: the corpus registered as the app's source, a real index per backend."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.qa.access import ANY_MEMBER, ANYONE
from community.search import register_source
from community.search.indexer import rebuild_index
from community.search.service import search_service
from tests.search.corpus import CorpusSource

BACKENDS = ["whoosh", "postgres"]


# Readers as the Q&A's read rule makes them: a member reads everything, a visitor what is open.
MEMBER = ANY_MEMBER
VISITOR = ANYONE


@pytest.fixture(params=BACKENDS)
def backend_name(request, database_url):
    if request.param == "postgres" and not database_url.startswith("postgresql"):
        pytest.skip("the PostgreSQL backend needs TEST_DATABASE_URL")
    return request.param


@pytest.fixture
def app_config(app_config, tmp_path, request):
    """Each search test gets its own index directory and, when parametrised, its backend."""
    config = dict(app_config)
    config["SEARCH_INDEX_DIR"] = str(tmp_path / "search-index")
    if "backend_name" in request.fixturenames:
        config["SEARCH_BACKEND"] = request.getfixturevalue("backend_name")
    return config


@pytest.fixture
def source(app):
    corpus = CorpusSource()
    register_source(app, corpus)
    return corpus


@pytest.fixture
def service(app, source):
    service = search_service()
    yield service
    service.backend.close()


@pytest.fixture
def indexed(service):
    """The corpus indexed from scratch; yields the service."""
    rebuild_index()
    db.session.commit()
    return service
