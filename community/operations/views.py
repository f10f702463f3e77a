"""/healthz (the process answers), /readyz (it can serve) and /metrics (for Prometheus)."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request

from community.errors import discard_session
from community.extensions import csrf, limiter
from community.metrics import exposition, register_reader
from community.operations.readiness import check_readiness, search_lag, site_version

bp = Blueprint("operations", __name__)


def never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Alive: answers without touching any service, so a database outage restarts nothing."""
    return never_cached(jsonify(status="ok", version=site_version()))


@bp.route("/readyz")
@limiter.exempt
def readyz():
    """Ready: 200 when every check passes, else 503 with the reasons."""
    readiness = check_readiness()
    body = {
        "status": "ok" if readiness.ready else "unavailable",
        "version": site_version(),
        **readiness.checks,
    }
    if not readiness.ready:
        body["reasons"] = readiness.reasons
    response = never_cached(jsonify(body))
    response.status_code = 200 if readiness.ready else 503
    return response


def metrics_reader_allowed() -> bool:
    """The bearer METRICS_TOKEN, or a client address within METRICS_ALLOW."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(allowed, strict=False)
        for allowed in current_app.config["METRICS_ALLOW"]
    )


@bp.route("/metrics")
@limiter.exempt
def metrics():
    """Prometheus's text format; 404 while neither a token nor an allow-list is set, 403 to
    anyone else."""
    if not current_app.config["METRICS_TOKEN"] and not current_app.config["METRICS_ALLOW"]:
        abort(404)
    if not metrics_reader_allowed():
        abort(403)
    body, content_type = exposition()
    discard_session()
    return never_cached(Response(body, content_type=content_type))


register_reader(
    "community_search_outbox_pending",
    "Search changes waiting for the indexer.",
    lambda: search_lag()[0],
)
register_reader(
    "community_search_outbox_oldest_seconds",
    "How long the oldest waiting search change has waited.",
    lambda: search_lag()[1],
)
csrf.exempt(bp)
