"""Flask-Limiter's before-request pass is dropped while every limit is declared on its view;
the declared limits still count, and a configured default limit keeps the pass."""

from __future__ import annotations

import pytest

from community.extensions import limiter
from community.limits import needs_request_pass
from tests.accounts.view_helpers import client_at, register


def test_the_site_has_no_before_request_limit_pass(app):
    assert not needs_request_pass(app)
    assert limiter._check_request_limit not in app.before_request_funcs[None]


def test_a_declared_limit_still_refuses_without_the_pass(app, outbox):
    app.config["MAIL_LIMIT_PER_IP"] = "2 per hour"
    for n in range(2):
        sent = register(client_at(app, "203.0.113.20"), email=f"n{n}@example.com")
        assert sent.status_code == 302
    refused = register(client_at(app, "203.0.113.20"), email="n9@example.com")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"]
    assert len(outbox()) == 2


@pytest.mark.parametrize(
    "name", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_IN_MEMORY_FALLBACK"]
)
def test_a_configured_limit_beyond_the_views_keeps_the_pass(app, name):
    app.config[name] = "100 per minute"
    assert needs_request_pass(app)
