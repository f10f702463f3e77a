"""The deals' periodic tasks (registered with the job layer's scheduler)."""

from __future__ import annotations

from datetime import timedelta

from community.deals.alerts import Outcome, send_alerts
from community.jobs import periodic


@periodic("deals.alerts", every=timedelta(minutes=1))
def send_deal_alerts() -> Outcome:
    """Tell members of deals that went live matching their alerts: each member once per deal,
    however often or at once it runs (a unique alert hit per member and deal)."""
    return send_alerts()
