"""`flask backup` and `flask restore`: a backup restored into an empty instance serves the same
questions, members and ledger, with its search index rebuilt and no rendering from before; a
site with accounts refuses a restore, and a backup of the other database kind is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from community.accounts.models import User
from community.clock import utcnow
from community.extensions import db
from community.qa.access import ANY_MEMBER
from community.qa.models import Question
from community.qa.services import answers
from community.rebates import ledger
from community.search.service import search_service
from tests.conftest import base_config, log_in
from tests.rebates import reports


def fill_site(make_question, member, generic_import, inviter_and_buyer):
    from community.affiliate.services import sub_id_of

    question = make_question(author=member, title="备份之前的问题：公积金怎么提取")
    answers.post_answer(member, question, "只有会员能读到的回答：租房提取每月一次。")
    _inviter, buyer = inviter_and_buyer
    generic_import([reports.generic_row("R1", sub_id_of(buyer), commission="12.34")])
    db.session.commit()
    return question.id, buyer.id


def site_state(question_id: int, buyer_id: int) -> dict:
    balances = ledger.balances(buyer_id, utcnow())
    return {
        "emails": sorted(db.session.scalars(select(User.email))),
        "titles": sorted(db.session.scalars(select(Question.title))),
        "balance": (balances.pending, balances.confirmed, balances.withdrawable),
        "question": db.session.get(Question, question_id).body_html,
    }


def fresh_target(app, app_config, make_app, tmp_path):
    """An empty instance: a new SQLite file, or this PostgreSQL database emptied."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql"):
        db.session.remove()
        db.engine.dispose()
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    config = base_config(url, tmp_path / "fresh-instance")
    # The same shared renderings file as the first site: the restore must empty it.
    config["QA_FRAGMENT_FILE"] = app.config["QA_FRAGMENT_FILE"]
    return make_app(config)


def test_a_backup_restores_into_an_empty_instance(
    app,
    app_config,
    make_app,
    runner,
    client,
    make_question,
    member,
    generic_import,
    inviter_and_buyer,
    tmp_path,
):
    question_id, buyer_id = fill_site(make_question, member, generic_import, inviter_and_buyer)
    before = site_state(question_id, buyer_id)
    author_email = member.email
    # A member who wrote nothing on it shares the members' rendering.
    log_in(client, db.session.get(User, buyer_id))
    page = client.get(f"/qa/{question_id}")
    assert "租房提取每月一次" in page.get_data(as_text=True)
    with sqlite3.connect(app.config["QA_FRAGMENT_FILE"]) as store:
        assert store.execute("SELECT count(*) FROM fragments").fetchone()[0] > 0

    path = tmp_path / "site.backup"
    made = runner.invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert path.stat().st_size > 0 and oct(path.stat().st_mode & 0o777) == "0o600"

    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    assert site_state(question_id, buyer_id) == before

    target = fresh_target(app, app_config, make_app, tmp_path)
    with target.app_context():
        restored = target.test_cli_runner().invoke(args=["restore", str(path)])
    assert restored.exit_code == 0, restored.output
    assert "Search index rebuilt with 1 documents" in restored.output
    with sqlite3.connect(app.config["QA_FRAGMENT_FILE"]) as store:
        assert store.execute("SELECT count(*) FROM fragments").fetchone()[0] == 0

    with target.app_context():
        assert site_state(question_id, buyer_id) == before
        found = search_service().search("公积金", reader=ANY_MEMBER)
        assert [hit.id for hit in found.hits] == [question_id]
        reader = db.session.scalar(select(User).where(User.email == author_email))
        browser = target.test_client()
        log_in(browser, reader)
        assert db.session.scalar(select(func.count(User.id))) == len(before["emails"])
    page = browser.get(f"/qa/{question_id}")
    assert page.status_code == 200 and "租房提取每月一次" in page.get_data(as_text=True)
    with target.app_context():
        search_service().backend.close()


def test_a_backup_of_the_other_kind_is_refused(app, runner, tmp_path):
    wrong = tmp_path / "wrong.backup"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        sqlite3.connect(wrong).execute("CREATE TABLE t (x)").connection.commit()
        expected = "not a pg_dump backup"
    else:
        wrong.write_bytes(b"PGDMP" + bytes(100))
        expected = "not a SQLite backup"
    result = runner.invoke(args=["restore", str(wrong)])
    assert result.exit_code != 0 and expected in result.output


def test_a_backup_is_whole_or_absent(app, runner, tmp_path, monkeypatch):
    from community.backups import archive

    def broken(*_args, **_kwargs):
        raise archive.BackupRefused("disk full")

    monkeypatch.setattr(archive, "copy_sqlite", broken)
    monkeypatch.setattr(archive, "run_pg_tool", broken)
    path = tmp_path / "site.backup"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code != 0 and "disk full" in result.output
    assert list(Path(tmp_path).glob("site.backup*")) == []
