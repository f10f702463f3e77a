"""Migrations: one head, and a migrated database matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from community.extensions import db
from tests.helpers import site_on_empty_database


def test_single_head(app):
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, heads


def test_the_chain_is_linear_and_each_header_names_its_parent(app):
    """One line of revisions from base to head, and every docstring's "Revises:" says what
    `down_revision` says (a reader follows the headers)."""
    import re
    from pathlib import Path

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    chain = list(script.walk_revisions())
    assert len({revision.down_revision for revision in chain}) == len(chain)
    assert all(not isinstance(revision.down_revision, tuple) for revision in chain)
    assert chain[-1].down_revision is None
    for revision in chain:
        header = re.search(r"^Revises: *(\S*)$", Path(revision.path).read_text(), re.M)
        assert header, revision.path
        assert header.group(1) == (revision.down_revision or ""), revision.path


def test_models_match_migrations(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_upgrade_from_empty_seeds_tiers_and_downgrade_removes_everything(app_config, tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text

    with site_on_empty_database(app_config, tmp_path):
        upgrade()
        rows = db.session.execute(
            text("SELECT slug, annual_price, rebate_share FROM tiers ORDER BY rank")
        ).all()
        assert [tuple(row) for row in rows] == [
            ("free", 0, 0),
            ("member", 19900, 50),
            ("pro", 49900, 70),
        ]
        db.session.remove()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
