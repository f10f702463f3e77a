"""`flask qa import` / `flask qa export`, and the demo seed that uses the importer."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from community.accounts.models import User
from community.extensions import db
from community.qa.models import Answer, Question


def line(**overrides) -> str:
    record = {
        "id": "ext-1",
        "title": "信用卡年费怎么免",
        "body": "刷够次数就免吗？",
        "tags": ["信用卡", "年费"],
        "author": "asker@example.com",
        "created_at": "2025-03-01T08:00:00+08:00",
        "public": False,
        "featured": True,
        "answers": [
            {
                "body": "一般刷六次免次年年费。",
                "author": "helper@example.com",
                "accepted": True,
                "votes": 7,
                "created_at": "2025-03-01T09:00:00Z",
            },
            {
                "body": "白金卡另算。",
                "author": "asker@example.com",
                "accepted": False,
                "votes": 0,
                "created_at": "2025-03-02T09:00:00",
            },
        ],
    }
    record.update(overrides)
    return json.dumps(record, ensure_ascii=False)


def write(tmp_path, *lines) -> str:
    path = tmp_path / "threads.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(select(func.count(Question.id))),
        db.session.scalar(select(func.count(Answer.id))),
        db.session.scalar(select(func.count(User.id))),
    )


def test_import_creates_questions_answers_and_passwordless_authors(runner, tmp_path):
    path = write(tmp_path, line(), line(id="ext-2", title="第二个问题标题", answers=[]))
    result = runner.invoke(args=["qa", "import", path])
    assert result.exit_code == 0, result.output
    assert "imported 2" in result.output
    assert counts() == (2, 2, 2)
    question = db.session.scalar(select(Question).where(Question.external_id == "ext-1"))
    assert question.featured and not question.public
    assert question.created_at.isoformat() == "2025-03-01T00:00:00+00:00"
    assert question.answer_count == 2
    accepted = [a for a in question.answers if a.accepted]
    assert len(accepted) == 1 and accepted[0].score == 7
    helper = db.session.scalar(select(User).where(User.email == "helper@example.com"))
    assert helper.password_hash is None


def test_reimport_changes_nothing(runner, tmp_path):
    path = write(tmp_path, line())
    runner.invoke(args=["qa", "import", path])
    before = counts()
    result = runner.invoke(args=["qa", "import", path])
    assert "imported 0" in result.output and "1 already present" in result.output
    assert counts() == before


def test_a_bad_line_is_reported_and_nothing_is_written(runner, tmp_path):
    path = write(tmp_path, line(), line(id="ext-2", tags=[]), "{not json", line(id="ext-4"))
    result = runner.invoke(args=["qa", "import", path])
    assert result.exit_code != 0
    assert "threads.jsonl:2:" in result.output
    assert "nothing was imported" in result.output
    assert counts() == (0, 0, 0)


def test_partial_imports_the_good_lines(runner, tmp_path):
    path = write(
        tmp_path,
        line(),
        line(id="ext-2", tags=[]),
        "{not json",
        line(id="ext-4", created_at="yesterday"),
        line(id="ext-5", author="not-an-email"),
        line(
            id="ext-6",
            answers=[
                {
                    "body": "x",
                    "author": "a@example.com",
                    "votes": "many",
                    "created_at": "2025-01-01T00:00:00Z",
                }
            ],
        ),
        line(id="ext-7", title="好的第七个问题"),
    )
    result = runner.invoke(args=["qa", "import", "--partial", path])
    assert "imported 2" in result.output
    for number in (2, 3, 4, 5, 6):
        assert f"threads.jsonl:{number}:" in result.output
    assert "not valid JSON" in result.output and "votes must be a whole number" in result.output
    assert db.session.scalar(select(func.count(Question.id))) == 2


def test_export_writes_the_import_format_back(runner, tmp_path, member, make_question):
    runner.invoke(args=["qa", "import", write(tmp_path, line())])
    make_question(author=member, title="站内提的问题")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["qa", "export", "-o", str(out)])
    assert "exported 2" in result.output
    records = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    assert records[0]["id"] == "ext-1" and records[0]["answers"][0]["votes"] == 7
    assert records[1]["id"].startswith("q-") and records[1]["author"] == member.email
    # The exported file imports into itself without changes.
    before = counts()
    assert "2 already present" in runner.invoke(args=["qa", "import", str(out)]).output
    assert counts() == before


def test_demo_seed_loads_the_chinese_threads_once(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    questions = db.session.scalar(select(func.count(Question.id)))
    assert questions >= 55
    assert db.session.scalar(select(func.count(Answer.id))) >= questions
    runner.invoke(args=["demo", "seed"])
    assert db.session.scalar(select(func.count(Question.id))) == questions


def test_imports_keep_chinese_punctuation_and_notify_nobody(runner, tmp_path):
    from community.qa.models import Notification

    path = write(tmp_path, line(title="信用卡年费，怎么免？"))
    runner.invoke(args=["qa", "import", path])
    assert db.session.scalar(select(Question.title)) == "信用卡年费，怎么免？"
    assert db.session.scalar(select(func.count(Notification.id))) == 0
