"""Uploading pictures as the toolbar does: a multipart post with the CSRF header."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.helpers import csrf_from


def upload_picture(client, data: bytes, name: str = "picture.png", token: str | None = None):
    """POST `data` as the toolbar does; the CSRF token comes from a page the client can open."""
    if token is None:
        token = csrf_from(client.get("/account/settings"))
    # Encoded here in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart({"image": FileStorage(io.BytesIO(data), name)})
    return client.post(
        "/media/upload",
        data=body,
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        content_type=f"multipart/form-data; boundary={boundary}",
    )
