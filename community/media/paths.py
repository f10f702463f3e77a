"""The addresses of uploaded pictures, the one shape of image URL posts may contain."""

from __future__ import annotations

import re

PREFIX = "/media/"
KEY_LENGTH = 22
# "/media/<key>" is the copy for pages, "/media/<key>/full" the picture as uploaded (cleaned).
IMAGE_PATH = re.compile(r"^/media/(?P<key>[A-Za-z0-9_-]{22})(?:/full)?$")
IMAGE_PATH_IN_TEXT = re.compile(r"/media/([A-Za-z0-9_-]{22})(?:/full)?(?![A-Za-z0-9_/-])")


def is_image_path(src: str) -> bool:
    """Whether `src` names one of the site's uploaded pictures (and nothing else anywhere)."""
    return bool(IMAGE_PATH.match(src or ""))


def image_keys(text: str) -> list[str]:
    """The keys of the site's pictures `text` names, each once, in order."""
    return list(dict.fromkeys(IMAGE_PATH_IN_TEXT.findall(text or "")))


def image_path(key: str) -> str:
    return f"{PREFIX}{key}"
