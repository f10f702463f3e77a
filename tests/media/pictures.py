"""Pictures as phones and screenshot tools make them, and files that only pretend to be."""

from __future__ import annotations

import io
import os
import struct
import zlib

from PIL import Image, PngImagePlugin

# Where the photo was taken: GPS latitude 31°13'N, as a phone writes it.
GPS_IFD = 0x8825


def photo_with_location(size=(640, 480), orientation: int = 1) -> bytes:
    """A JPEG with EXIF: camera model, GPS position and an orientation tag."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (31.0, 13.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret comment")
    return out.getvalue()


def screenshot(size=(390, 844), alpha: bool = False) -> bytes:
    """A PNG with a text chunk (screenshot tools write the author and software)."""
    image = Image.new("RGBA" if alpha else "RGB", size, (250, 250, 250, 128) if alpha else "white")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone@example.com")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 30), 3).save(out, "GIF")
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "green").save(out, "WEBP")
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb's shape
    (the pixels would only be made when decoding)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * min(height, 4))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def svg_with_script() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
    )


def html_named_png() -> bytes:
    return b"<html><script>alert(document.cookie)</script></html>"


def noisy_photo(size=(400, 400)) -> bytes:
    """A JPEG that compresses badly, for byte limits."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()
