"""`flask qa ...`: import and export questions, render what an import left, send the
notification digests."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from community.extensions import db
from community.jobs import enqueue, queued
from community.qa import importer, transfer, unrendered
from community.qa.services import notifications
from community.search.indexer import catch_up

qa_cli = AppGroup("qa", help="Questions and answers.")


def import_file(path: Path, partial: bool, show_progress: bool = True) -> importer.ImportReport:
    """Import a JSONL file and commit when it may; shared by the CLI and the demo seed."""
    if show_progress:
        # Two passes (check, then write) over the file's bytes.
        with click.progressbar(
            length=2 * path.stat().st_size, label="checking, then importing", file=sys.stderr
        ) as bar:
            report = importer.import_path(path, partial, bar.update)
    else:
        report = importer.import_path(path, partial)
    if report.errors and not partial:
        db.session.rollback()
    else:
        db.session.commit()
    return report


@qa_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--partial", is_flag=True, help="Import the good lines even when some are bad.")
def import_command(path: Path, partial: bool):
    """Import questions from a JSON-lines file (idempotent on each line's id).

    The search index takes the imported questions before the command returns, so the first
    search after it finds them as every later one will. Their Markdown is rendered next: here,
    or by `flask jobs worker` when jobs are queued (pages render it on demand meanwhile).
    """
    report = import_file(path, partial)
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
    waiting = unrendered.waiting_count()
    if waiting and queued():
        enqueue("qa.render-unrendered")
        click.echo(f"{waiting} text(s) queued for rendering by `flask jobs worker`")
    elif waiting:
        render_with_progress(waiting)
    if report.errors:
        sys.exit(1)


def render_with_progress(waiting: int) -> None:
    with click.progressbar(length=waiting, label="rendering Markdown", file=sys.stderr) as bar:
        rendered = unrendered.render_waiting(bar.update)
    click.echo(f"rendered {rendered} text(s)")


@qa_cli.command("render")
def render_command():
    """Render the Markdown an import left waiting, here and now (safe beside the job)."""
    render_with_progress(unrendered.waiting_count())


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
