"""`flask media prune` removes uploads nobody put in a post, and nothing else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from community.clock import utcnow
from community.extensions import db
from community.media.models import MediaImage
from community.qa.services import questions
from tests.media import pictures
from tests.media.uploads import upload_picture


def test_prune_removes_only_old_unattached_pictures(app, client, login, member, runner):
    login(client, member)
    uploads = [
        upload_picture(client, data)
        for data in (
            pictures.photo_with_location((2000, 1000)),
            pictures.screenshot(),
            pictures.gif(),
        )
    ]
    keys = [response.get_json()["key"] for response in uploads]
    db.session.execute(
        update(MediaImage)
        .where(MediaImage.key.in_(keys[:2]))
        .values(created_at=utcnow() - timedelta(days=10))
    )
    questions.ask_question(member, "附了图的问题标题", f"![](/media/{keys[1]})", "账单")
    db.session.commit()
    folder = Path(app.config["MEDIA_DIR"])
    assert (folder / keys[0] / "display.jpg").exists()

    result = runner.invoke(args=["media", "prune", "--older-than-days", "7"])
    assert result.exit_code == 0, result.output
    assert "1 unattached pictures" in result.output
    db.session.expire_all()
    assert sorted(image.key for image in db.session.query(MediaImage)) == sorted(keys[1:])
    assert not (folder / keys[0]).exists()
    assert (folder / keys[1] / "full.png").exists() and (folder / keys[2] / "full.png").exists()
    assert client.get(f"/media/{keys[0]}").status_code == 404
