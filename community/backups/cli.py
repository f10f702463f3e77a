"""`flask backup PATH` and `flask restore PATH`."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask_migrate import upgrade

from community.backups.archive import BackupRefused, restore_backup, write_backup
from community.extensions import db
from community.rendering.cache import clear_shared_renderings
from community.search.documents import current_source, has_source
from community.search.indexer import rebuild_index

log = logging.getLogger(__name__)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a backup of the site's database to PATH (the site keeps running)."""
    try:
        write_backup(path)
    except BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Backup written to {path} ({path.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path) -> None:
    """Restore the backup at PATH into this (empty) site, then rebuild the search index and
    empty the shared renderings."""
    try:
        restore_backup(path)
    except BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Database restored from {path}.")
    # A backup from an earlier version of the site is brought up to this one's schema.
    upgrade()
    dropped = clear_shared_renderings()
    click.echo(f"Shared renderings emptied ({dropped} dropped).")
    if has_source():
        total = current_source().count()
        with click.progressbar(length=total, label="Rebuilding the search index") as bar:
            count = rebuild_index(bar.update)
        click.echo(f"Search index rebuilt with {count} documents.")
    db.session.commit()
    click.echo(
        "Restart the web workers and the search worker so none keeps a connection or a "
        "page from before the restore."
    )
