"""The JSON-lines format of questions, one question with its answers per line: reading a line
(the importer writes it, `community/qa/importer.py`) and exporting."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.qa.models import Answer, Question

LINE_FIELDS = {
    "id",
    "title",
    "body",
    "tags",
    "author",
    "created_at",
    "public",
    "featured",
    "answers",
}
ANSWER_FIELDS = {"body", "author", "accepted", "votes", "created_at"}
NATIVE_ID = re.compile(r"q-([0-9]+)")


def parse_time(value, where: str) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"{where}created_at must be an ISO-8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{where}created_at is not ISO-8601: {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_line(text: str) -> dict:
    """Check one line's shape; raise ValueError with the reason."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    for name in ("id", "title", "body", "author"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            raise ValueError(f"{name} must be a non-empty string")
    if len(data["id"]) > 100:
        raise ValueError("id is longer than 100 characters")
    if not isinstance(data.get("tags"), list) or not all(isinstance(t, str) for t in data["tags"]):
        raise ValueError("tags must be a list of strings")
    data["created_at"] = parse_time(data.get("created_at"), "")
    for flag in ("public", "featured"):
        if not isinstance(data.get(flag, False), bool):
            raise ValueError(f"{flag} must be true or false")
    answers = data.get("answers", [])
    if not isinstance(answers, list):
        raise ValueError("answers must be a list")
    for index, answer in enumerate(answers, 1):
        where = f"answer {index}: "
        if not isinstance(answer, dict):
            raise ValueError(f"{where}must be an object")
        unknown = set(answer) - ANSWER_FIELDS
        if unknown:
            raise ValueError(f"{where}unknown field(s): {', '.join(sorted(unknown))}")
        for name in ("body", "author"):
            if not isinstance(answer.get(name), str) or not answer[name].strip():
                raise ValueError(f"{where}{name} must be a non-empty string")
        if not isinstance(answer.get("accepted", False), bool):
            raise ValueError(f"{where}accepted must be true or false")
        votes = answer.get("votes", 0)
        if not isinstance(votes, int) or isinstance(votes, bool):
            raise ValueError(f"{where}votes must be a whole number")
        answer["created_at"] = parse_time(answer.get("created_at"), where)
    if sum(1 for answer in answers if answer.get("accepted")) > 1:
        raise ValueError("more than one accepted answer")
    return data


def export_lines(batch: int = 200) -> Iterator[str]:
    """Every live question (not merged away or deleted) as one JSON line, oldest first."""
    last_id = 0
    while True:
        questions = db.session.scalars(
            select(Question)
            .options(
                selectinload(Question.tags),
                selectinload(Question.author),
                selectinload(Question.answers).selectinload(Answer.author),
            )
            .where(
                Question.id > last_id,
                Question.deleted_at.is_(None),
                Question.duplicate_of_id.is_(None),
            )
            .order_by(Question.id)
            .limit(batch)
        ).all()
        if not questions:
            return
        for question in questions:
            yield json.dumps(to_record(question), ensure_ascii=False)
        last_id = questions[-1].id
        db.session.expunge_all()


def to_record(question: Question) -> dict:
    answers = sorted(
        (a for a in question.answers if a.deleted_at is None and a.approved),
        key=lambda a: (a.created_at, a.id),
    )
    return {
        "id": question.external_id or f"q-{question.id}",
        "title": question.title,
        "body": question.body,
        "tags": [tag.name for tag in question.tags],
        "author": question.author.email,
        "created_at": question.created_at.isoformat(),
        "public": question.public,
        "featured": question.featured,
        "answers": [
            {
                "body": answer.body,
                "author": answer.author.email,
                "accepted": answer.accepted,
                "votes": answer.score,
                "created_at": answer.created_at.isoformat(),
            }
            for answer in answers
        ],
    }
