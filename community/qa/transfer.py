"""Import and export of questions as JSON lines, one question with its answers per line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from community.accounts import services as accounts
from community.accounts.models import User
from community.errors import ValidationFailed
from community.extensions import db
from community.numbers import parse_id
from community.qa.indexing import notify_changed
from community.qa.models import Answer, Question
from community.qa.services import answers as answer_service
from community.qa.services import questions as question_service
from community.qa.services import tags as tag_service
from community.qa.services.questions import refresh_counts

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


class LineInvalid(Exception):
    def __init__(self, number: int, reason: str):
        self.number = number
        self.reason = reason
        super().__init__(f"line {number}: {reason}")


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[LineInvalid] = field(default_factory=list)


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


def already_imported(external_id: str) -> bool:
    """True for an imported id, or for "q-<n>", the id export gives a question asked on the site."""
    if db.session.scalar(select(Question.id).where(Question.external_id == external_id)):
        return True
    match = NATIVE_ID.fullmatch(external_id)
    question_id = parse_id(match.group(1)) if match else None
    return bool(
        question_id
        and db.session.scalar(
            select(Question.id).where(Question.id == question_id, Question.external_id.is_(None))
        )
    )


def check_record(data: dict) -> None:
    """Run the services' checks before writing, so a bad line never leaves half a question."""
    errors: list[tuple[str | None, str]] = []
    checks = [
        (question_service.clean_title, data["title"]),
        (question_service.clean_body, data["body"]),
        (tag_service.split_tags, data["tags"]),
        (accounts.normalize_email, data["author"]),
    ]
    for item in data.get("answers", []):
        checks += [
            (question_service.clean_body, item["body"]),
            (accounts.normalize_email, item["author"]),
        ]
    for check, value in checks:
        try:
            check(value)
        except ValidationFailed as failure:
            errors += failure.errors
    if errors:
        raise ValidationFailed(errors)


def author_for(email: str, cache: dict) -> User:
    """The account with this email, or a new free account without a usable password."""
    normalized = accounts.normalize_email(email, field="author")
    if normalized not in cache:
        user = accounts.find_by_email(normalized)
        if user is None:
            local = normalized.split("@")[0]
            name = local if len(local) >= accounts.NAME_MIN else normalized
            user = accounts.register_user(normalized, name[: accounts.NAME_MAX], None)
        cache[normalized] = user
    return cache[normalized]


def write_question(data: dict, authors: dict) -> Question:
    author = author_for(data["author"], authors)
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
    question.public = data.get("public", False)
    question.featured = data.get("featured", False)
    latest = data["created_at"]
    for item in data.get("answers", []):
        answer = answer_service.post_answer(
            author_for(item["author"], authors),
            question,
            item["body"],
            created_at=item["created_at"],
            check_member=False,
            announce=False,
        )
        answer.accepted = item.get("accepted", False)
        answer.score = item.get("votes", 0)
        latest = max(latest, item["created_at"])
    question.updated_at = latest
    refresh_counts(question)
    notify_changed(question, "imported")
    return question


def import_lines(lines: Iterable[str], partial: bool = False, progress=None) -> ImportReport:
    """Import JSON lines; without `partial`, one bad line means nothing is written.

    Each line is checked in full before it is written, so with `partial` a bad line leaves
    nothing behind. Lines whose id is already imported are left as they are, so a re-import
    changes nothing. The caller commits.
    """
    report = ImportReport()
    authors: dict = {}
    seen: set[str] = set()
    for number, text in enumerate(lines, 1):
        if progress is not None:
            progress(1)
        if not text.strip():
            continue
        try:
            data = parse_line(text)
            if data["id"] in seen:
                raise ValueError(f"id {data['id']!r} appears twice in the file")
            seen.add(data["id"])
            if already_imported(data["id"]):
                report.unchanged += 1
                continue
            check_record(data)
            write_question(data, authors)
            report.created += 1
        except ValidationFailed as failure:
            reason = "; ".join(f"{name or 'line'}: {text}" for name, text in failure.errors)
            report.errors.append(LineInvalid(number, reason))
        except ValueError as error:
            report.errors.append(LineInvalid(number, str(error)))
        if report.errors and not partial:
            db.session.rollback()
            report.created = 0
            return report
    return report


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
