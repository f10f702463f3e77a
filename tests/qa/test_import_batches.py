"""The batched importer writes exactly what the services write for an imported thread, across
batch boundaries, as read before its Markdown is rendered and after; it streams the file, keeps
the all-or-nothing rule when the bad line comes after many good ones, and says what is wrong
with a file that is not UTF-8."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from community.extensions import db
from community.qa import importer, unrendered
from community.qa.cli import import_file
from community.qa.models import Answer, Question, QuestionFollow, Revision, Tag, TagAlias
from community.qa.services import answers as answer_service
from community.qa.services import questions as question_service
from community.qa.transfer import parse_line
from community.search.models import SearchChange
from tests.qa.test_cli import counts, line, write


def thread_line(number: int, **overrides) -> str:
    fields = {
        "id": f"ext-{number}",
        "title": f"第{number}个问题：**信用卡**年费怎么免",
        "body": f"正文 {number}\n\n- 刷卡*六次*\n- [链接](https://example.com/{number})",
        "tags": ["信用卡", f"标签{number % 3}", "Credit-Card"],
        "author": f"asker{number % 4}@Example.com",
    }
    return line(**{**fields, **overrides})


def snapshot() -> list[dict]:
    """Every imported thread as the pages and search read it (ids and stamps aside)."""
    db.session.expire_all()
    rows = []
    for question in db.session.scalars(
        select(Question).order_by(Question.created_at, Question.external_id)
    ):
        answers = sorted(question.answers, key=lambda answer: answer.created_at)
        revisions = db.session.scalars(
            select(Revision).where(
                (Revision.question_id == question.id)
                | Revision.answer_id.in_([answer.id for answer in answers])
            )
        ).all()
        rows.append(
            {
                "question": (
                    question.title,
                    question.body,
                    question.body_html,
                    question.teaser,
                    question.author.email,
                    question.public,
                    question.featured,
                    question.approved,
                    question.answer_count,
                    question.hot_rank,
                    question.created_at,
                    question.updated_at,
                    [tag.name for tag in question.tags],
                ),
                "answers": [
                    (
                        a.body,
                        a.body_html,
                        a.author.email,
                        a.accepted,
                        a.score,
                        a.by_expert,
                        a.approved,
                        a.created_at,
                    )
                    for a in answers
                ],
                "revisions": sorted(
                    (r.number, r.title, r.tags, r.body, r.body_html, r.editor.email)
                    for r in revisions
                ),
                "follows": sorted(
                    db.session.scalars(
                        select(QuestionFollow.user_id).where(
                            QuestionFollow.question_id == question.id
                        )
                    )
                ),
            }
        )
    return rows


def import_with_services(text: str) -> None:
    """What the services make of one line (the importer's reference)."""
    data = parse_line(text)
    cleaner = importer.Cleaner()
    thread = cleaner.thread(text)
    author = author_named(thread.author)
    question = question_service.ask_question(
        author,
        data["title"],
        data["body"],
        data["tags"],
        created_at=data["created_at"],
        check_member=False,
        announce=False,
    )
    question.external_id = data["id"]
    question.public = data["public"]
    question.featured = data["featured"]
    for body, email, item in thread.answers:
        answer = answer_service.post_answer(
            author_named(email),
            question,
            body,
            created_at=item["created_at"],
            check_member=False,
            announce=False,
        )
        answer.accepted = item["accepted"]
        answer.score = item["votes"]
    question.updated_at = max([data["created_at"], *(a["created_at"] for a in data["answers"])])
    question_service.refresh_counts(question)


def author_named(email: str):
    from community.accounts import services as accounts

    return accounts.find_by_email(email) or accounts.register_user(email, email.split("@")[0], None)


def test_the_batches_write_what_the_services_write(app, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    db.session.add(Tag(name="信用卡"))
    db.session.flush()
    db.session.add(TagAlias(name="credit-card", tag_id=db.session.scalar(select(Tag.id))))
    db.session.commit()
    lines = [thread_line(number) for number in range(5)]
    for text in lines:
        import_with_services(text)
    db.session.commit()
    expected = snapshot()
    users_before = counts()[2]

    db.session.execute(Revision.__table__.delete())
    db.session.execute(QuestionFollow.__table__.delete())
    db.session.execute(Answer.__table__.delete())
    db.session.execute(Question.__table__.delete())
    db.session.execute(SearchChange.__table__.delete())
    db.session.commit()
    import_file(Path(write(tmp_path, *lines)), partial=False, show_progress=False)
    assert stored_html() == {None}
    assert snapshot() == expected
    assert counts()[2] == users_before
    versions = db.session.scalars(select(Question.render_version)).all()
    assert len(set(versions)) == 5

    assert unrendered.render_waiting(batch=4) == 5 + 10
    assert None not in stored_html()
    assert snapshot() == expected


def stored_html() -> set:
    """The HTML columns as stored (not as the ORM fills in what waits)."""
    return {
        value
        for table, column in (
            (Question, "body_html"),
            (Question, "teaser"),
            (Answer, "body_html"),
            (Revision, "body_html"),
        )
        for value in db.session.execute(select(table.__table__.c[column])).scalars()
    }


def test_a_bad_line_after_many_batches_writes_nothing(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 3)
    lines = [thread_line(number) for number in range(10)] + [thread_line(10, tags=[])]
    result = runner.invoke(args=["qa", "import", write(tmp_path, *lines)])
    assert result.exit_code != 0 and "threads.jsonl:11:" in result.output
    assert counts() == (0, 0, 0)
    assert db.session.scalar(select(func.count(SearchChange.id))) == 0


def test_ids_repeated_across_batches_are_refused(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    lines = [thread_line(number) for number in range(4)] + [thread_line(1)]
    result = runner.invoke(args=["qa", "import", "--partial", write(tmp_path, *lines)])
    assert "threads.jsonl:5: id 'ext-1' appears twice" in result.output
    assert counts()[0] == 4


def test_a_file_that_is_not_utf8_is_refused_with_the_reason(app, runner, tmp_path):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(thread_line(1).encode("gb18030") + b"\n")
    result = runner.invoke(args=["qa", "import", str(path)])
    assert result.exit_code != 0
    assert "gbk.jsonl:1: not UTF-8 text (save the file as UTF-8)" in result.output
    assert counts() == (0, 0, 0)


def test_a_byte_order_mark_and_blank_lines_are_read(app, runner, tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + thread_line(1).encode() + b"\n\n" + thread_line(2).encode() + b"\n"
    )
    result = runner.invoke(args=["qa", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert counts()[0] == 2


def test_the_import_reports_progress_over_both_passes(app, tmp_path):
    path = tmp_path / "threads.jsonl"
    path.write_text("\n".join(thread_line(n) for n in range(7)) + "\n", encoding="utf-8")
    seen = []
    report = importer.import_path(path, progress=seen.append)
    db.session.commit()
    assert report.created == 7 and sum(seen) == 2 * path.stat().st_size
    # One search outbox row per question, committed with them.
    assert db.session.scalar(select(func.count(SearchChange.id))) == 7
