"""`flask qa ...`: import and export questions, send the notification digests."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from community.extensions import db
from community.qa import importer, transfer
from community.qa.services import notifications
from community.search.indexer import catch_up

qa_cli = AppGroup("qa", help="Questions and answers.")


def import_file(
    path: Path, partial: bool, show_progress: bool = True, processes: int = 1
) -> importer.ImportReport:
    """Import a JSONL file and commit when it may; shared by the CLI and the demo seed."""
    if show_progress:
        # Two passes (check, then write) over the file's bytes.
        with click.progressbar(
            length=2 * path.stat().st_size, label="checking, then importing", file=sys.stderr
        ) as bar:
            report = importer.import_path(path, partial, bar.update, processes)
    else:
        report = importer.import_path(path, partial, processes=processes)
    if report.errors and not partial:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@qa_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partial", is_flag=True, help="Import the good lines even when some are bad.")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="the number of CPUs",
    help="Processes that render the Markdown.",
)
def import_command(path: Path, partial: bool, processes: int):
    """Import questions from a JSON-lines file (idempotent on each line's id).

    The search index takes the imported questions before the command returns, so the first
    search after it finds them as every later one will.
    """
    report = import_file(path, partial, processes=processes)
    for error in report.errors:
        click.echo(f"{path.name}:{error.number}: {error.reason}", err=True)
    if report.errors and not partial:
        raise click.ClickException(
            f"{len(report.errors)} bad line(s); nothing was imported (use --partial to import "
            "the good lines)"
        )
    click.echo(f"imported {report.created} question(s), {report.unchanged} already present")
    left = catch_up()
    if left:
        click.echo(f"search: {left} change(s) left to the running search worker")
    else:
        click.echo("search index up to date")
    if report.errors:
        sys.exit(1)


@qa_cli.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def export_command(output: Path | None):
    """Write every live question as JSON lines (to a file or standard output)."""
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = 0
        for line in transfer.export_lines():
            handle.write(line + "\n")
            count += 1
    finally:
        if output:
            handle.close()
    if output:
        click.echo(f"exported {count} question(s) to {output}")


@qa_cli.command("send-digests")
def send_digests_command():
    """Email members their notifications as each chose: one by one, daily or weekly (run often)."""
    sent = notifications.send_digests()
    click.echo(f"sent {sent} notification mail(s)")
