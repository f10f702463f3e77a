"""`flask deals ...`: import a deals file, and the demo deals."""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import AppGroup

from community.clock import utcnow
from community.deals.importer import ImportResult, import_deals
from community.extensions import db

DEMO_DEALS = Path(__file__).parent / "demo_deals.jsonl"

deals_cli = AppGroup("deals", help="Deals: import them from a file.")


def report(result: ImportResult) -> None:
    if result.encoding:
        click.echo(f"read as {result.format} in {result.encoding}: {result.rows} rows")
    for line, reason in result.errors:
        click.echo(f"  line {line}: {reason}" if line else f"  {reason}", err=True)
    if result.errors:
        raise click.ClickException(f"{len(result.errors)} problems; nothing was written")
    click.echo(f"{result.created} new, {result.updated} changed, {result.unchanged} unchanged")


@deals_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import FILE (CSV or JSON lines; UTF-8 or GB18030/GBK): all rows or, if any is bad, none.
    Importing the same file again changes nothing."""
    result = import_deals(
        file.read_bytes(),
        utcnow(),
        track=lambda rows: click.progressbar(rows, label="writing deals", file=sys.stderr),
    )
    if result.errors:
        db.session.rollback()
    else:
        db.session.commit()
    report(result)


def demo_lines(moment) -> bytes:
    """The demo deals as JSON lines, their windows placed around `moment` (hours in the file)."""
    lines = []
    for line in DEMO_DEALS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        started = moment - timedelta(hours=row.pop("started_hours_ago"))
        row["starts_at"] = started.isoformat(timespec="minutes")
        ends_in = row.pop("ends_in_hours", None)
        row["expires_at"] = (
            (moment + timedelta(hours=ends_in)).isoformat(timespec="minutes")
            if ends_in is not None
            else ""
        )
        lines.append(json.dumps(row, ensure_ascii=False))
    return "\n".join(lines).encode()


def seed_demo_deals() -> ImportResult:
    """Load the demo deals (live ones, ones ending soon, some expired); the caller commits."""
    return import_deals(demo_lines(utcnow().replace(second=0, microsecond=0)), utcnow())
