"""/healthz (the process answers), /readyz (it can serve) and /metrics (for Prometheus)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from community.extensions import csrf, limiter
from community.operations.readiness import check_readiness, site_version

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


csrf.exempt(bp)
