"""`flask media`: uploads nobody put in a post are removed after a while."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import delete, exists, select

from community.clock import utcnow
from community.extensions import db
from community.media.models import MediaAttachment, MediaImage
from community.media.services import file_name
from community.media.storage import media_storage

media_cli = AppGroup("media", help="Pictures uploaded into posts.")


@media_cli.command("prune")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=7,
    show_default=True,
    help="Remove pictures attached to no post and uploaded longer ago than this.",
)
def prune(older_than_days: int) -> None:
    """Remove pictures uploaded but never put in a post (a draft given up on)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    unattached = (
        select(MediaImage)
        .where(
            MediaImage.created_at < cutoff,
            ~exists().where(MediaAttachment.image_id == MediaImage.id),
        )
        .order_by(MediaImage.id)
    )
    images = list(db.session.scalars(unattached))
    storage = media_storage()
    with click.progressbar(images, label="Removing unattached pictures") as bar:
        for image in bar:
            # The row goes first: a file left behind by a failure is harmless, a row without
            # its file is a broken picture.
            removed = db.session.execute(
                delete(MediaImage).where(
                    MediaImage.id == image.id,
                    ~exists().where(MediaAttachment.image_id == image.id),
                )
            ).rowcount
            db.session.commit()
            if removed:
                for variant in ("display", "full"):
                    storage.delete(file_name(image, variant))
    click.echo(f"{len(images)} unattached pictures older than {older_than_days} days removed.")
