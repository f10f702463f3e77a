"""`flask deals send-alerts`: the alert job a scheduler runs every minute."""

from __future__ import annotations

import click
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from community.deals.alerts import send_alerts


@click.command("send-alerts")
@with_appcontext
def send_alerts_command() -> None:
    """Tell members of deals that went live matching their alerts (safe to run at any time)."""
    outcome = send_alerts()
    click.echo(
        f"{outcome.deals} deal(s) looked at, {outcome.hits} alert(s), {outcome.mails} mail(s)"
    )


def add_alert_commands(cli: FlaskGroup) -> None:
    """Put send-alerts under `flask deals` (made here when no other command made it)."""
    group = cli.commands.get("deals")
    if group is None:
        group = AppGroup("deals", help="Deals.")
        cli.add_command(group)
    group.add_command(send_alerts_command)
