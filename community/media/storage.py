"""Where picture files live: a folder under the instance by default.

Everything else reaches files only through `MediaStorage`, so an S3-compatible bucket can stand
in for the folder by giving the app another object with the same three methods.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

# "<key>/<variant>.<extension>": the only names the site writes.
NAME = re.compile(r"^[A-Za-z0-9_-]{22}/(full|display)\.(png|jpg)$")


class MediaStorage(Protocol):
    def write(self, name: str, data: bytes) -> None: ...

    def read(self, name: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""
        ...

    def delete(self, name: str) -> None: ...


class FolderStorage:
    """Files in one folder on this host; each written whole or not at all."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        if not NAME.match(name):
            raise ValueError(f"not a media file name: {name!r}")
        return self.root / name

    def write(self, name: str, data: bytes) -> None:
        target = self.path(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, name: str) -> None:
        target = self.path(name)
        target.unlink(missing_ok=True)
        # The folder goes with its last variant.
        with contextlib.suppress(OSError):
            target.parent.rmdir()


def media_storage() -> MediaStorage:
    return current_app.extensions["media_storage"]


def init_storage(app: Flask) -> None:
    """The folder storage under MEDIA_DIR, unless the app was given another storage already."""
    if "media_storage" not in app.extensions:
        app.extensions["media_storage"] = FolderStorage(app.config["MEDIA_DIR"])
