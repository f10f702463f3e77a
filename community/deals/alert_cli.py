"""`flask deals send-alerts`: the alert job a scheduler runs every minute."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from community.deals.alerts import send_alerts


@click.command("send-alerts")
@with_appcontext
def send_alerts_command() -> None:
    """Tell members of deals that went live matching their alerts (safe to run at any time)."""
    outcome = send_alerts()
    click.echo(
        f"{outcome.deals} deal(s) looked at, {outcome.hits} alert(s), {outcome.mails} mail(s)"
    )
