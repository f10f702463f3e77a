"""The site's icons at the addresses browsers and phones ask for without being told."""

from __future__ import annotations

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("sharing", __name__)

ICON_MAX_AGE = 7 * 24 * 3600


def static_image(name: str):
    folder = f"{current_app.static_folder}/img"
    return send_from_directory(folder, name, max_age=ICON_MAX_AGE)


@bp.route("/favicon.ico")
def favicon():
    return static_image("favicon.ico")


@bp.route("/apple-touch-icon.png")
@bp.route("/apple-touch-icon-precomposed.png")
def touch_icon():
    """iOS asks for this when a page is added to the home screen or shared."""
    return static_image("apple-touch-icon.png")
