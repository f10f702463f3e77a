"""The site's icons at the addresses browsers and phones ask for without being told."""

from __future__ import annotations

import hashlib
import io
from functools import cache
from pathlib import Path

from flask import Blueprint, current_app, send_file

bp = Blueprint("sharing", __name__)

ICON_MAX_AGE = 7 * 24 * 3600
ICON_TYPES = {"favicon.ico": "image/x-icon", "apple-touch-icon.png": "image/png"}


@cache
def icon_bytes(folder: str, name: str) -> tuple[bytes, str]:
    """An icon's bytes and digest, read once per process (they are a few kilobytes)."""
    data = (Path(folder) / "img" / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:16]


def icon(name: str):
    data, digest = icon_bytes(current_app.static_folder, name)
    return send_file(
        io.BytesIO(data),
        mimetype=ICON_TYPES[name],
        etag=digest,
        max_age=ICON_MAX_AGE,
        conditional=True,
    )


@bp.route("/favicon.ico")
def favicon():
    return icon("favicon.ico")


@bp.route("/apple-touch-icon.png")
@bp.route("/apple-touch-icon-precomposed.png")
def touch_icon():
    """iOS asks for this when a page is added to the home screen or shared."""
    return icon("apple-touch-icon.png")
