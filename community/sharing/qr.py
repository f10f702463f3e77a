"""QR codes of links, as SVG to show and PNG to save (WeChat shares by scanning)."""

from __future__ import annotations

import io

import segno
from flask import Response

# Medium error correction survives a phone photo of a screen; the border is the quiet zone
# scanners need.
ERROR_LEVEL = "m"
BORDER = 2
SVG_SCALE, PNG_SCALE = 6, 12
KINDS = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(link: str, kind: str) -> bytes:
    """`link` as a QR code in `kind` ("svg" or "png")."""
    out = io.BytesIO()
    code = segno.make(link, error=ERROR_LEVEL)
    if kind == "svg":
        code.save(out, kind="svg", scale=SVG_SCALE, border=BORDER, xmldecl=False)
    else:
        code.save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return out.getvalue()


def qr_response(link: str, kind: str, download_name: str | None = None) -> Response:
    """The code as a response; with `download_name`, saved as that file instead of shown."""
    response = Response(qr_code(link, kind), mimetype=KINDS[kind])
    if download_name:
        response.headers.set("Content-Disposition", "attachment", filename=download_name)
    return response
