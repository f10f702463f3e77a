"""What an upload must be to become a picture in a post, decided by Pillow from its bytes.

The type is read from the content (never the file name or the browser's Content-Type); size and
pixel limits are checked before anything is decoded; the pixels are copied into a new image so
that EXIF (a phone photo's location), ICC profiles, text chunks and comments are all left behind;
photos are turned upright first, since the orientation tag goes with the rest.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from community.errors import ValidationFailed

# Formats a phone or a screenshot tool produces; Pillow tries no other decoder.
ACCEPTED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# Lossless sources (screenshots, drawings) stay PNG; photos are JPEG.
LOSSLESS_FORMATS = ("PNG", "GIF")
CONTENT_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    display_width: int

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            max_bytes=config["MEDIA_MAX_BYTES"],
            max_pixels=config["MEDIA_MAX_PIXELS"],
            display_width=config["MEDIA_DISPLAY_WIDTH"],
        )


@dataclass(frozen=True)
class CleanImage:
    """The picture re-encoded without metadata, and a copy narrowed for pages (None when the
    picture is already narrow enough)."""

    content_type: str
    full: bytes
    width: int
    height: int
    display: bytes | None
    display_width: int
    display_height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def refuse(reason) -> ValidationFailed:
    return ValidationFailed([("image", str(reason))])


def open_checked(data: bytes, limits: Limits) -> Image.Image:
    """Open `data` as one of the accepted formats and refuse it before decoding when too big."""
    if not data:
        raise refuse(_l("Choose a picture to upload."))
    if len(data) > limits.max_bytes:
        raise refuse(
            _l(
                "The picture is larger than %(size)d MB. Send a smaller one.",
                size=limits.max_bytes // (1024 * 1024),
            )
        )
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise refuse(too_many_pixels(limits)) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise refuse(
            _l("This file is not a picture we can show (JPEG, PNG, GIF or WebP).")
        ) from error
    width, height = image.size
    if width < 1 or height < 1 or width * height > limits.max_pixels:
        raise refuse(too_many_pixels(limits))
    return image


def too_many_pixels(limits: Limits):
    return _l(
        "The picture has too many pixels: at most %(megapixels)d million are accepted.",
        megapixels=limits.max_pixels // 1_000_000,
    )


def clean_image(data: bytes, limits: Limits) -> CleanImage:
    """Check an upload and re-encode it as a picture with no metadata, plus its display copy."""
    image = open_checked(data, limits)
    source_format = image.format
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
    except (OSError, ValueError, SyntaxError) as error:
        raise refuse(_l("This picture is damaged or cut short. Try saving it again.")) from error
    mode = "RGBA" if has_transparency(image) else "RGB"
    if image.mode != mode:
        image = image.convert(mode)
    # The bare pixels pasted into a new image: nothing of the file's metadata can come along.
    # (At most two copies of the pixels are alive at once: a 40-megapixel photo is 120 MB each.)
    pixels = Image.new(mode, image.size)
    pixels.paste(image)
    image.close()
    output_format = "PNG" if source_format in LOSSLESS_FORMATS or mode == "RGBA" else "JPEG"
    width, height = pixels.size
    display, display_size = None, (width, height)
    if width > limits.display_width:
        display_size = (limits.display_width, max(1, round(height * limits.display_width / width)))
        display = encode(pixels.resize(display_size, Image.Resampling.LANCZOS), output_format)
    return CleanImage(
        content_type=CONTENT_TYPES[output_format],
        full=encode(pixels, output_format),
        width=width,
        height=height,
        display=display,
        display_width=display_size[0],
        display_height=display_size[1],
    )


def has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def encode(image: Image.Image, output_format: str) -> bytes:
    out = io.BytesIO()
    if output_format == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(out, "PNG")
    return out.getvalue()
