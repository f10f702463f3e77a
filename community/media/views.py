"""Uploading a picture (for the editor's toolbar) and serving pictures to those who may see them."""

from __future__ import annotations

import io
from contextlib import closing

from flask import Blueprint, abort, current_app, jsonify, request, send_file
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user

from community.errors import NotAllowed, ValidationFailed, render_error
from community.extensions import db, limiter
from community.media import services
from community.media.paths import image_path
from community.security import personal_response

bp = Blueprint("media", __name__, url_prefix="/media")
# Multipart framing around the file itself.
FORM_OVERHEAD = 64 * 1024


@bp.url_value_preprocessor
def allow_picture_uploads(endpoint, _values) -> None:
    """Pictures are larger than the site's other forms; set before CSRF reads the form."""
    if endpoint == "media.upload":
        request.max_content_length = current_app.config["MEDIA_MAX_BYTES"] + FORM_OVERHEAD


def uploader_key() -> str:
    """Uploads are counted per member, wherever they come from."""
    if current_user.is_authenticated:
        return f"media-upload:{current_user.id}"
    return f"media-upload-ip:{get_remote_address()}"


@bp.route("/upload", methods=["POST"])
@limiter.limit(lambda: current_app.config["MEDIA_UPLOAD_LIMIT"], key_func=uploader_key)
def upload():
    """Take one picture (field `image`) and answer with its address and the Markdown to insert."""
    if not current_user.is_authenticated:
        return render_error(401, _("Please sign in to upload pictures."))
    data = b""
    if upload := request.files.get("image"):
        # Large files are spooled to a temporary file: closed at once, not left to the collector.
        with closing(upload):
            data = upload.read(current_app.config["MEDIA_MAX_BYTES"] + 1)
    try:
        image = services.store_upload(current_user, data)
    except NotAllowed as refusal:
        db.session.rollback()
        return render_error(403, refusal.reason)
    except ValidationFailed as failure:
        db.session.rollback()
        return render_error(400, failure.errors[0][1])
    db.session.commit()
    path = image_path(image.key)
    alt = _("picture")
    return jsonify(
        key=image.key,
        url=path,
        full_url=f"{path}/full",
        markdown=f"![{alt}]({path})",
        width=image.display_width,
        height=image.display_height,
    ), 201


@bp.route("/<string(length=22):key>", defaults={"variant": "display"})
@bp.route("/<string(length=22):key>/full", defaults={"variant": "full"})
def show(key: str, variant: str):
    """A picture, to its uploader and to whoever may read a post it belongs to (signed in, or
    named by a registered reader such as a feed token); to anyone else it does not exist (404,
    as for a key nobody uploaded)."""
    image = services.image_by_key(key)
    if image is None:
        abort(404)
    if not services.may_view(image, current_user):
        if not any(services.may_view(image, person) for person in services.other_readers()):
            abort(404)
        personal_response()
    try:
        data = services.read_variant(image, variant)
    except FileNotFoundError:
        current_app.logger.error(
            "picture %s (%s) is recorded but its file is missing", key, variant
        )
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=image.content_type,
        etag=f"{key}-{variant}",
        last_modified=image.created_at,
        max_age=3600,
        conditional=True,
    )
    # Whether the reader may see it is decided per request: no shared cache keeps it.
    response.cache_control.public = False
    response.cache_control.private = True
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
