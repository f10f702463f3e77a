"""`flask doctor`: what the site runs on and what is wrong with it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from community.operations.doctor import OK, PROBLEM, WARNING, examine
from community.startup import running_on

MARKS = {OK: "ok     ", WARNING: "WARNING", PROBLEM: "PROBLEM"}


@click.command("doctor")
@with_appcontext
def doctor() -> None:
    """Check the settings and reach every configured service; exit 1 on a problem."""
    for what, where in running_on(current_app):
        click.echo(f"{what:>12}: {where}")
    click.echo("")
    findings = examine()
    for finding in findings:
        click.echo(f"{MARKS[finding.status]} {finding.subject}: {finding.message}")
    problems = sum(finding.status == PROBLEM for finding in findings)
    if problems:
        click.echo(f"\n{problems} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo("\nNo problems found.")
