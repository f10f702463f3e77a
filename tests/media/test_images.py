"""Pillow decides what an upload is and keeps nothing of it but the pixels."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from community.errors import ValidationFailed
from community.media.images import Limits, clean_image
from tests.helpers import zh
from tests.media import pictures

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_pixels=20_000_000, display_width=1280)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(ValidationFailed) as caught:
        clean_image(data, limits)
    assert [field for field, _reason in caught.value.errors] == ["image"]
    return caught.value.errors[0][1]


def test_a_photo_loses_its_location_camera_and_comment():
    original = pictures.photo_with_location()
    assert b"PhoneModel X" in original and opened(original).getexif().get_ifd(0x8825)
    cleaned = clean_image(original, LIMITS)
    assert cleaned.content_type == "image/jpeg"
    image = opened(cleaned.full)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "comment" not in image.info
    assert "icc_profile" not in image.info
    assert b"PhoneModel" not in cleaned.full and b"secret comment" not in cleaned.full
    assert (cleaned.width, cleaned.height) == (640, 480)


def test_a_photo_taken_sideways_is_turned_upright_before_its_tag_goes():
    cleaned = clean_image(pictures.photo_with_location((640, 480), orientation=6), LIMITS)
    assert (cleaned.width, cleaned.height) == (480, 640)
    assert dict(opened(cleaned.full).getexif()) == {}


def test_a_screenshot_stays_png_without_its_text_chunks():
    cleaned = clean_image(pictures.screenshot(), LIMITS)
    image = opened(cleaned.full)
    assert cleaned.content_type == "image/png" and image.format == "PNG"
    assert "Author" not in image.info and b"someone@example.com" not in cleaned.full
    assert cleaned.display is None and (cleaned.display_width, cleaned.display_height) == (390, 844)


def test_transparency_is_kept_as_png():
    cleaned = clean_image(pictures.screenshot(alpha=True), LIMITS)
    assert cleaned.content_type == "image/png" and opened(cleaned.full).mode == "RGBA"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(pictures.gif(), "image/png"), (pictures.webp(), "image/jpeg")],
)
def test_gif_and_webp_are_accepted_and_re_encoded(data, content_type):
    assert clean_image(data, LIMITS).content_type == content_type


def test_a_wide_picture_gets_a_display_copy_of_the_display_width():
    cleaned = clean_image(pictures.photo_with_location((3000, 1500)), LIMITS)
    assert (cleaned.width, cleaned.height) == (3000, 1500)
    assert (cleaned.display_width, cleaned.display_height) == (1280, 640)
    assert opened(cleaned.display).size == (1280, 640)


@pytest.mark.parametrize(
    "data",
    [
        pictures.svg_with_script(),
        pictures.html_named_png(),
        b"GIF89a not really",
        b"%PDF-1.7\n",
        b"BM" + b"\0" * 60,
    ],
    ids=["svg", "html", "fake-gif-header", "pdf", "bmp"],
)
def test_what_is_not_a_picture_is_refused_by_its_content(app, data):
    assert refusal(data) == zh("This file is not a picture we can show (JPEG, PNG, GIF or WebP).")


def test_a_cut_short_picture_is_refused_as_damaged(app):
    photo = pictures.photo_with_location((800, 600))
    assert refusal(photo[: len(photo) // 2]) == zh(
        "This picture is damaged or cut short. Try saving it again."
    )


def test_an_empty_upload_asks_for_a_picture(app):
    assert refusal(b"") == zh("Choose a picture to upload.")


def test_too_many_bytes_is_refused_before_decoding(app):
    limits = Limits(max_bytes=2 * 1024 * 1024, max_pixels=LIMITS.max_pixels, display_width=1280)
    assert refusal(pictures.noisy_photo((1500, 1500)), limits) == zh(
        "The picture is larger than %(size)d MB. Send a smaller one.", size=2
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [(5000, 5000), (200_000, 200_000), (1, 30_000_000)],
    ids=["over-the-limit", "decompression-bomb", "one-pixel-wide"],
)
def test_too_many_pixels_is_refused_from_the_header_alone(app, width, height):
    data = pictures.png_claiming(width, height)
    assert len(data) < 2000
    assert refusal(data) == zh(
        "The picture has too many pixels: at most %(megapixels)d million are accepted.",
        megapixels=20,
    )
