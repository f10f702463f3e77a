"""The upload endpoint: members only, CSRF, limits, messages in the member's language, and an
unattached picture that only its uploader can open."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from community.extensions import db
from community.media.models import MediaImage
from tests.helpers import csrf_from, zh
from tests.media import pictures
from tests.media.uploads import upload_picture


def test_a_member_uploads_a_photo_and_gets_markdown_for_it(app, client, login, member):
    login(client, member)
    response = upload_picture(client, pictures.photo_with_location((2000, 1000)), "IMG_0001.HEIC")
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["url"] == f"/media/{answer['key']}"
    assert answer["markdown"] == f"![{zh('picture')}]({answer['url']})"
    assert (answer["width"], answer["height"]) == (1280, 640)
    image = db.session.scalar(select(MediaImage).where(MediaImage.key == answer["key"]))
    assert image.uploader_id == member.id and image.content_type == "image/jpeg"
    stored = sorted(path.name for path in (Path(app.config["MEDIA_DIR"]) / answer["key"]).iterdir())
    assert stored == ["display.jpg", "full.jpg"]

    shown = client.get(answer["url"])
    assert shown.status_code == 200 and shown.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(shown.data)).size == (1280, 640)
    assert b"PhoneModel" not in shown.data
    full = client.get(answer["full_url"])
    assert Image.open(io.BytesIO(full.data)).size == (2000, 1000)
    assert "private" in shown.headers["Cache-Control"]
    assert shown.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unattached_picture_is_its_uploaders_alone(app, client, login, member, mallory):
    login(client, member)
    url = upload_picture(client, pictures.screenshot()).get_json()["url"]
    assert client.get(url).status_code == 200
    other = app.test_client()
    assert other.get(url).status_code == 404
    login(other, mallory)
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/full").status_code == 404


def test_visitors_and_free_users_cannot_upload(app, client, login, free_user):
    # A visitor's pages carry a CSRF token only where there is a form (sign-in).
    token = csrf_from(client.get("/account/login"))
    visitor = upload_picture(client, pictures.screenshot(), token=token)
    assert visitor.status_code == 401
    login(client, free_user)
    refused = upload_picture(client, pictures.screenshot())
    assert refused.status_code == 403
    assert refused.get_json()["message"] == zh("Uploading pictures is for members.")
    assert db.session.query(MediaImage).count() == 0


def csrf_from_home(client) -> str:
    return csrf_from(client.get("/"))


def test_an_upload_without_the_csrf_token_is_refused(app, client, login, member):
    login(client, member)
    response = upload_picture(client, pictures.screenshot(), token="forged")
    assert response.status_code == 400
    assert db.session.query(MediaImage).count() == 0


def test_a_file_that_is_not_a_picture_gets_a_chinese_message(app, client, login, member):
    login(client, member)
    for data, name in (
        (pictures.svg_with_script(), "cute.png"),
        (pictures.html_named_png(), "photo.jpg"),
        (pictures.png_claiming(200_000, 200_000), "bomb.png"),
    ):
        response = upload_picture(client, data, name)
        assert response.status_code == 400, name
        message = response.get_json()["message"]
        assert message and any("\u4e00" <= char <= "\u9fff" for char in message), message
    assert db.session.query(MediaImage).count() == 0
    assert not any(Path(app.config["MEDIA_DIR"]).glob("*/*"))


def test_a_request_without_a_file_asks_for_one(app, client, login, member):
    login(client, member)
    token = csrf_from_home(client)
    response = client.post(
        "/media/upload", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["message"] == zh("Choose a picture to upload.")


def test_an_upload_over_the_byte_limit_is_refused_as_too_large(app, client, login, member):
    app.config["MEDIA_MAX_BYTES"] = 1024 * 1024
    login(client, member)
    too_large = upload_picture(client, b"\x89PNG" + b"0" * 1_200_000)
    assert too_large.status_code == 413
    photo = pictures.noisy_photo((950, 950))
    assert 1024 * 1024 < len(photo) < 1024 * 1024 + 60_000
    just_over = upload_picture(client, photo)
    assert just_over.status_code == 400
    assert just_over.get_json()["message"] == zh(
        "The picture is larger than %(size)d MB. Send a smaller one.", size=1
    )


def test_uploads_are_rate_limited_per_member(app, client, login, member):
    app.config["MEDIA_UPLOAD_LIMIT"] = "2 per hour"
    login(client, member)
    statuses = [upload_picture(client, pictures.gif()).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_a_key_nobody_uploaded_and_a_malformed_key_are_404(app, client):
    assert client.get("/media/" + "a" * 22).status_code == 404
    assert client.get("/media/../instance").status_code == 404
    assert client.get("/media/" + "a" * 21).status_code == 404
