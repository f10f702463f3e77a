"""Uploading pictures, attaching them to posts, and who may see them.

A picture is readable by its uploader, and by whoever may read one of the posts it is attached
to, as the post's domain decides: each domain registers a rule for its kind of post
(`register_owner_kind`), which reads the posts from the database. An upload attached to nothing
is its uploader's alone.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.database import insert_unless_present
from community.errors import NotAllowed
from community.extensions import db
from community.media.images import Limits, clean_image
from community.media.models import MediaAttachment, MediaImage
from community.media.paths import image_keys
from community.media.storage import media_storage
from community.membership.entitlements import is_member

log = logging.getLogger(__name__)

# (owner ids of one kind, the person asking) -> may that person read at least one of them?
OwnerRule = Callable[[Sequence[int], object], bool]


def register_owner_kind(app: Flask, kind: str, readable: OwnerRule) -> None:
    """Let pictures be attached to posts of `kind`, readable as `readable` says."""
    app.extensions.setdefault("media_owner_kinds", {})[kind] = readable


def register_reader(app: Flask, reader: Callable[[], object | None]) -> None:
    """Let a request without a session name its reader another way (a private feed's token in
    `?feed=`): `reader()` returns that person, or None."""
    app.extensions.setdefault("media_readers", []).append(reader)


def other_readers() -> list:
    """The people a request names besides its session user, per the registered readers."""
    found = (reader() for reader in current_app.extensions.get("media_readers", ()))
    return [person for person in found if person is not None]


def owner_rule(kind: str) -> OwnerRule | None:
    return current_app.extensions.get("media_owner_kinds", {}).get(kind)


def require_uploader(user) -> None:
    """Pictures go into posts, and posting is for members (and staff)."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if not signed_in or not (user.is_operator or is_member(user)):
        raise NotAllowed(str(_l("Uploading pictures is for members.")))


def file_name(image: MediaImage, variant: str) -> str:
    extension = "png" if image.content_type == "image/png" else "jpg"
    return f"{image.key}/{variant}.{extension}"


def store_upload(uploader, data: bytes) -> MediaImage:
    """Check and clean an upload, keep its files and record it as `uploader`'s."""
    require_uploader(uploader)
    cleaned = clean_image(data, Limits.from_config(current_app.config))
    image = MediaImage(
        key=secrets.token_urlsafe(16),
        uploader_id=uploader.id,
        content_type=cleaned.content_type,
        width=cleaned.width,
        height=cleaned.height,
        display_width=cleaned.display_width,
        display_height=cleaned.display_height,
        size=len(cleaned.full),
    )
    storage = media_storage()
    storage.write(file_name(image, "full"), cleaned.full)
    if cleaned.display is not None:
        storage.write(file_name(image, "display"), cleaned.display)
    db.session.add(image)
    db.session.flush()
    log.info("picture %s uploaded by user %s (%d bytes)", image.key, uploader.id, image.size)
    return image


def read_variant(image: MediaImage, variant: str) -> bytes:
    """The bytes of `variant` ("full" or "display"); a narrow picture's display is the full."""
    if variant == "display" and image.display_width == image.width:
        variant = "full"
    return media_storage().read(file_name(image, variant))


def attach_images(kind: str, owner_id: int, text: str, people: Iterable[int]) -> None:
    """Attach to a post the pictures its text shows that one of `people` uploaded (its author,
    the editor). Anyone else's picture stays as readable as it was: pasting a member-only
    picture's address into a public post does not open it to visitors."""
    keys = image_keys(text)
    if not keys:
        return
    image_ids = db.session.scalars(
        select(MediaImage.id).where(
            MediaImage.key.in_(keys), MediaImage.uploader_id.in_(set(people))
        )
    ).all()
    for image_id in image_ids:
        insert_unless_present(
            db.session,
            MediaAttachment,
            {"image_id": image_id, "kind": kind, "owner_id": owner_id},
            ["image_id", "kind", "owner_id"],
        )


def image_by_key(key: str) -> MediaImage | None:
    return db.session.scalar(select(MediaImage).where(MediaImage.key == key))


def may_view(image: MediaImage, user) -> bool:
    """The uploader, or anyone who may read a post the picture is attached to, now."""
    if getattr(user, "is_authenticated", False) and user.id == image.uploader_id:
        return True
    owners: dict[str, list[int]] = defaultdict(list)
    for kind, owner_id in db.session.execute(
        select(MediaAttachment.kind, MediaAttachment.owner_id).where(
            MediaAttachment.image_id == image.id
        )
    ):
        owners[kind].append(owner_id)
    for kind, owner_ids in owners.items():
        rule = owner_rule(kind)
        if rule is None:
            log.warning("picture %s is attached to %r, which no domain registered", image.key, kind)
        elif rule(owner_ids, user):
            return True
    return False
