"""What the site writes under its instance folder is readable by its owner only."""

from __future__ import annotations

import stat

from flask_migrate import upgrade

from community.accounts import services
from community.accounts.models import Role
from community.extensions import db
from community.mail import send_email
from community.membership.tiers import seed_default_tiers
from community.qa.services import questions
from community.search.indexer import rebuild_index
from tests.conftest import PASSWORD


def test_files_under_the_instance_folder_are_the_owners_only(app_config, make_app, tmp_path):
    instance = tmp_path / "fresh-instance"
    config = {
        **app_config,
        "INSTANCE_PATH": str(instance),
        "OUTBOX_DIR": str(instance / "outbox"),
        "SEARCH_INDEX_DIR": str(instance / "search"),
        # The embedded default: a SQLite file in the instance folder, a generated secret.
        "SQLALCHEMY_DATABASE_URI": "",
        "SECRET_KEY": "",
        "ENV_NAME": "development",
        "SEARCH_INDEXER": "worker",
    }
    app = make_app(config)
    with app.app_context():
        upgrade()
        seed_default_tiers()
        author = services.register_user("author@example.com", "作者", PASSWORD, role=Role.OPERATOR)
        question = questions.ask_question(
            author, "信用卡年费怎么免？", "正文内容，够长的描述。", "年费"
        )
        db.session.commit()
        rebuild_index()
        send_email("someone@example.com", "主题", "verify", user=author, link="https://x")
        # A visitor's question page is shared through the renderings file.
        assert app.test_client().get(f"/qa/{question.id}").status_code == 200
        # The database stays open, so its -wal and -shm files exist while we look.
        db.session.execute(db.text("SELECT 1"))
        written = sorted(instance.rglob("*"))
        names = {path.name for path in written}
        assert {"community.db", "community.db-wal", "community.db-shm", "secret_key"} <= names
        assert "fragments.sqlite3" in names
        assert any(path.suffix == ".eml" for path in written)
        assert any(path.parent.name == "search" or "search" in path.parts for path in written)
        loose = {
            str(path.relative_to(instance)): oct(stat.S_IMODE(path.stat().st_mode))
            for path in [instance, *written]
            if not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) & 0o077
        }
        db.session.remove()
    assert loose == {}
