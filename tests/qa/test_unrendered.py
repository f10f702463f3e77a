"""An import stores Markdown without its HTML and the job renders it afterwards: until it has,
every page, list, feed, API answer and search result renders the text on demand (and the
paywall holds); after it, the stored HTML is what those showed; the job may run twice, even at
once, and an edit made before it wins."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from community.extensions import db
from community.feeds import services as feeds
from community.jobs.registry import JOBS, PERIODIC
from community.qa import markdown, unrendered
from community.qa.cli import import_file
from community.qa.models import Answer, Question, Revision
from community.qa.services import answers as answer_service
from tests.helpers import run_together, site_on_empty_database
from tests.qa.search_helpers import (  # noqa: F401 (search_index is an autouse fixture)
    run_indexer,
    search_index,
)
from tests.qa.test_cli import line, write

BODY = "**年费**怎么免？" + "先说背景。" * 40 + "正文结尾BODYTAIL"
ANSWER = "刷卡*六次*就免，ANSWERSECRET暗号。"


def import_threads(tmp_path, count: int = 1) -> list[int]:
    """Import `count` gated threads (a question, two answers each), leaving their HTML waiting."""
    lines = [
        line(
            id=f"ext-{number}",
            title=f"第{number}个问题：信用卡年费",
            body=BODY,
            public=False,
            answers=[
                {"body": ANSWER, "author": "helper@example.com", "created_at": "2025-03-01"},
                {
                    "body": f"第二个回答{number}",
                    "author": "b@example.com",
                    "created_at": "2025-03-02",
                },
            ],
        )
        for number in range(count)
    ]
    report = import_file(Path(write(tmp_path, *lines)), partial=False, show_progress=False)
    assert report.created == count
    return list(db.session.scalars(select(Question.id).order_by(Question.id)))


def stored(table, column: str = "body_html") -> list:
    return list(db.session.execute(select(table.__table__.c[column])).scalars())


def shown_texts(page: str) -> list[str]:
    """The rendered Markdown of a question page: the question's body and each answer's."""
    return re.findall(r'class="(?:markdown|post-body markdown)"[^>]*>(.*?)</div>', page, re.S)


def test_an_imported_thread_reads_rendered_before_the_job_and_the_same_after(
    app, client, login, member, operator, make_user, tmp_path
):
    (question_id,) = import_threads(tmp_path)
    assert stored(Question) == [None] and stored(Question, "teaser") == [None]
    assert set(stored(Answer)) == {None} and set(stored(Revision)) == {None}
    html, teaser = markdown.render_with_teaser(BODY)

    def readings() -> dict:
        login(client, member)
        page = client.get(f"/qa/{question_id}").get_data(as_text=True)
        data = client.get(f"/qa/{question_id}.json").get_json()
        login(client, operator)
        staff_page = client.get(f"/qa/{question_id}").get_data(as_text=True)
        visitor = app.test_client().get(f"/qa/{question_id}").get_data(as_text=True)
        listed = app.test_client().get("/qa/").get_data(as_text=True)
        token = feeds.rotate_token(member)
        db.session.commit()
        feed = client.get(f"/feeds/{feeds.url_token(token)}/qa-newest.atom").get_data(as_text=True)
        return {
            "page": shown_texts(page),
            "staff": shown_texts(staff_page),
            "json": (data["body_html"], data["teaser"], [a["body_html"] for a in data["answers"]]),
            "visitor": visitor,
            "list": listed,
            "feed": feed,
        }

    before = readings()
    assert before["page"][0] == html and markdown.render(ANSWER) in before["page"]
    assert before["staff"] == before["page"]
    assert before["json"][:2] == (html, teaser)
    assert markdown.render(ANSWER) in before["json"][2]
    assert teaser in before["visitor"] and teaser in before["list"]
    assert "ANSWERSECRET" not in before["visitor"] and "BODYTAIL" not in before["visitor"]
    assert "**" not in before["visitor"] + before["list"]
    assert "&lt;strong&gt;年费&lt;/strong&gt;" in before["feed"]
    # Reading renders; it writes nothing back.
    assert stored(Question) == [None] and set(stored(Answer)) == {None}

    assert unrendered.render_waiting() == 3
    assert stored(Question) == [html] and stored(Question, "teaser") == [teaser]
    assert sorted(stored(Answer)) == sorted(
        markdown.render(body) for body in (ANSWER, "第二个回答0")
    )
    assert None not in stored(Revision)
    after = readings()
    for name in ("page", "staff", "json"):
        assert after[name] == before[name], name


def test_search_finds_and_shows_an_imported_thread_before_the_job(
    app, client, login, member, tmp_path
):
    (question_id,) = import_threads(tmp_path)
    run_indexer()
    visitor = client.get("/search", query_string={"q": "年费"}).get_data(as_text=True)
    assert f'data-question-id="{question_id}"' in visitor
    snippet = re.search(r'<p class="teaser">(.*?)</p>', visitor, re.S).group(1)
    assert snippet.replace("<mark>", "").replace("</mark>", "").rstrip("…") in markdown.teaser(BODY)
    assert "<mark>年费</mark>怎么免" in snippet
    assert "ANSWERSECRET" not in visitor and "**" not in visitor
    login(client, member)
    found = client.get("/search", query_string={"q": "暗号"}).get_data(as_text=True)
    assert f'data-question-id="{question_id}"' in found and "<mark>暗号</mark>" in found
    assert stored(Question) == [None]


def test_the_job_twice_at_once_renders_each_text_once_and_then_finds_nothing(app, tmp_path):
    import_threads(tmp_path, count=6)
    rendered = []
    failures = run_together(lambda _n: rendered.append(unrendered.render_waiting(batch=4)), 2, app)
    assert failures == []
    assert sum(rendered) >= 6 * 3
    db.session.expire_all()
    assert unrendered.waiting_count() == 0
    for table in (Question, Answer, Revision):
        rows = db.session.execute(select(table.__table__.c.body, table.__table__.c.body_html))
        assert all(html == markdown.render(body) for body, html in rows), table
    assert unrendered.render_waiting() == 0


def test_an_edit_before_the_job_wins_and_keeps_the_first_revision(app, operator, tmp_path):
    import_threads(tmp_path)
    answer = db.session.scalars(select(Answer).where(Answer.body == ANSWER)).one()
    answer_service.edit_answer(operator, answer, "改过的回答")
    db.session.commit()
    # The other answer and the question, then the edited answer's first revision on its own.
    assert unrendered.render_waiting() == 3
    db.session.expire_all()
    assert stored(Answer).count(markdown.render("改过的回答")) == 1
    revisions = db.session.execute(
        select(Revision.number, Revision.__table__.c.body_html)
        .where(Revision.answer_id == answer.id)
        .order_by(Revision.number)
    ).all()
    assert revisions == [(1, markdown.render(ANSWER)), (2, markdown.render("改过的回答"))]


def test_the_import_command_renders_with_progress_or_queues_the_job(
    app, runner, tmp_path, monkeypatch
):
    path = write(tmp_path, line())
    result = runner.invoke(args=["qa", "import", path])
    assert result.exit_code == 0, result.output
    assert "rendered 3 text(s)" in result.output
    assert unrendered.waiting_count() == 0

    queued = []
    monkeypatch.setattr("community.qa.cli.queued", lambda: True)
    monkeypatch.setattr("community.qa.cli.enqueue", queued.append)
    path = write(tmp_path, line(id="ext-2", title="第二个问题：年费"))
    result = runner.invoke(args=["qa", "import", path])
    assert result.exit_code == 0, result.output
    assert "3 text(s) queued for rendering by `flask jobs worker`" in result.output
    assert queued == ["qa.render-unrendered"]

    result = runner.invoke(args=["qa", "render"])
    assert result.exit_code == 0 and "rendered 3 text(s)" in result.output
    assert JOBS["qa.render-unrendered"].run() == 0
    assert PERIODIC["qa.render-unrendered"].run() == 0
    assert "rendered 0 text(s)" in runner.invoke(args=["qa", "render"]).output


def test_a_downgrade_renders_what_waits(app_config, tmp_path):
    from flask_migrate import downgrade, upgrade

    with site_on_empty_database(app_config, tmp_path):
        upgrade()
        import_threads(tmp_path)
        db.session.commit()
        db.session.remove()
        downgrade(revision="0017_item_keys")
        texts = db.session.execute(
            select(Question.__table__.c.body_html, Question.__table__.c.teaser)
        ).all()
        assert texts == [markdown.render_with_teaser(BODY)]
        assert None not in stored(Answer) + stored(Revision)
        db.session.remove()
        upgrade()
