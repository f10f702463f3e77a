"""`flask qa import`: questions from JSON lines, streamed and written in batches.

Two passes over the file, never holding it in memory: the first checks every line (shape, ids
repeated in the file, every service check), so without `partial` a bad line means nothing is
written; the second writes the good lines in batches of BATCH questions, all in the caller's
transaction: ids of questions and answers reserved first, then each table's rows in one
statement (COPY on PostgreSQL, an executemany on SQLite).
The rows are those the services write for an imported thread: the question with its tags, the
asker's follow, answers, a first revision of each, an outbox row for search, but the HTML:
the Markdown is stored alone and rendered by a job afterwards (qa/unrendered.py), which is
most of the work an import used to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.database import insert_rows, reserve_ids
from community.errors import ValidationFailed
from community.extensions import db
from community.numbers import parse_id
from community.qa.indexing import notify_imported
from community.qa.models import Answer, Expert, Question, QuestionFollow, Revision, question_tags
from community.qa.pages.versions import new_version
from community.qa.services import questions as question_service
from community.qa.services import tags as tag_service
from community.qa.services.questions import hot_rank
from community.qa.transfer import NATIVE_ID, parse_line

BATCH = 500
QUESTIONS = Question.__table__


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


@dataclass
class Thread:
    """One line, checked and cleaned: what the batch writer inserts."""

    external_id: str
    title: str
    body: str
    tags: list[str]
    author: str
    data: dict
    answers: list[tuple[str, str, dict]]


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line, streamed."""
    with path.open("rb") as handle:
        yield from enumerate(handle, 1)


def decode(raw: bytes, number: int) -> str:
    """A line's text; a UTF-8 BOM on the first line is dropped."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text (save the file as UTF-8)") from None
    return text.removeprefix("\ufeff") if number == 1 else text


class Cleaner:
    """The services' checks of a line, with the slow parts (email syntax) remembered."""

    def __init__(self) -> None:
        self.emails: dict[str, str] = {}

    def email(self, raw: str, field: str) -> str:
        if raw not in self.emails:
            self.emails[raw] = accounts.normalize_email(raw, field=field)
        return self.emails[raw]

    def thread(self, text: str) -> Thread:
        data = parse_line(text)
        errors: list[tuple[str | None, str]] = []

        def checked(check, *args):
            try:
                return check(*args)
            except ValidationFailed as failure:
                errors.extend(failure.errors)

        title = checked(question_service.clean_title, data["title"])
        body = checked(question_service.clean_body, data["body"])
        tags = checked(tag_service.split_tags, data["tags"])
        author = checked(self.email, data["author"], "author")
        answers = [
            (
                checked(question_service.clean_body, item["body"]),
                checked(self.email, item["author"], "author"),
                item,
            )
            for item in data.get("answers", [])
        ]
        if errors:
            raise ValidationFailed(errors)
        return Thread(data["id"], title, body, tags, author, data, answers)


def import_path(
    path: Path, partial: bool = False, progress: Callable[[int], object] | None = None
) -> ImportReport:
    """Import a JSON-lines file; `progress` hears the bytes read (each pass reads the file).

    Lines whose id is already imported are left as they are, so a re-import changes nothing.
    The caller commits (or, when errors came back without `partial`, rolls back), then has
    the texts rendered (`unrendered.render_waiting`).
    """
    report = ImportReport()
    cleaner = Cleaner()
    bad = check_file(path, cleaner, report, progress)
    if report.errors and not partial:
        return report
    writer = BatchWriter()
    for batch in batches(path, cleaner, bad, progress):
        writer.write(batch, report)
    return report


def batches(path: Path, cleaner: Cleaner, bad: set[int], progress) -> Iterator[list[Thread]]:
    """The second pass: the good lines, cleaned, in lists of BATCH."""
    batch: list[Thread] = []
    for number, raw in read_lines(path):
        if progress is not None:
            progress(len(raw))
        if number in bad:
            continue
        text = decode(raw, number)
        if text.strip():
            batch.append(cleaner.thread(text))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def check_file(path: Path, cleaner: Cleaner, report: ImportReport, progress) -> set[int]:
    """The first pass: every bad line's reason in the report; returns their numbers."""
    seen: set[str] = set()
    bad: set[int] = set()
    for number, raw in read_lines(path):
        if progress is not None:
            progress(len(raw))
        try:
            text = decode(raw, number)
            if not text.strip():
                continue
            thread = cleaner.thread(text)
            if thread.external_id in seen:
                raise ValueError(f"id {thread.external_id!r} appears twice in the file")
            seen.add(thread.external_id)
        except ValidationFailed as failure:
            reason = "; ".join(f"{name or 'line'}: {text}" for name, text in failure.errors)
            report.errors.append(LineInvalid(number, reason))
            bad.add(number)
        except ValueError as error:
            report.errors.append(LineInvalid(number, str(error)))
            bad.add(number)
    return bad


class BatchWriter:
    """Writes batches of threads; remembers authors and tags across batches."""

    def __init__(self) -> None:
        self.authors: dict[str, tuple[int, bool]] = {}
        self.tags: dict[str, tuple[int, str]] = {}

    def write(self, batch: list[Thread], report: ImportReport) -> None:
        fresh = self.not_yet_imported(batch)
        report.unchanged += len(batch) - len(fresh)
        if not fresh:
            return
        self.load_authors({t.author for t in fresh} | {a[1] for t in fresh for a in t.answers})
        self.load_tags({name for thread in fresh for name in thread.tags})
        question_ids = self.insert_questions(fresh)
        self.insert_answers(fresh, question_ids)
        notify_imported(question_ids)
        report.created += len(fresh)

    def not_yet_imported(self, batch: list[Thread]) -> list[Thread]:
        """Leave out imported ids, and "q-<n>", the id export gives a question asked here."""
        ids = [thread.external_id for thread in batch]
        present = set(
            db.session.scalars(select(Question.external_id).where(Question.external_id.in_(ids)))
        )
        native = {}
        for external_id in ids:
            match = NATIVE_ID.fullmatch(external_id)
            question_id = parse_id(match.group(1)) if match else None
            if question_id:
                native[question_id] = external_id
        if native:
            asked_here = db.session.scalars(
                select(Question.id).where(
                    Question.id.in_(list(native)), Question.external_id.is_(None)
                )
            )
            present |= {native[question_id] for question_id in asked_here}
        return [thread for thread in batch if thread.external_id not in present]

    def load_authors(self, emails: set[str]) -> None:
        """Each author's id and expert flag; an unknown address gets a new free account
        without a usable password."""
        missing = sorted(emails - set(self.authors))
        if not missing:
            return
        found = {
            user.email.lower(): user
            for user in db.session.scalars(select(User).where(func.lower(User.email).in_(missing)))
        }
        new = {email: author_name(email) for email in missing if email not in found}
        if new:
            for user in accounts.register_without_passwords(new):
                found[user.email] = user
        users = [found[email] for email in missing]
        experts = set(
            db.session.scalars(
                select(Expert.user_id).where(Expert.user_id.in_([user.id for user in users]))
            )
        )
        for email, user in zip(missing, users, strict=True):
            self.authors[email] = (user.id, user.is_operator or user.id in experts)

    def load_tags(self, names: set[str]) -> None:
        """Each typed tag's row (following aliases, creating new tags), as the services do."""
        missing = names - set(self.tags)
        if missing:
            for name, tag in tag_service.tags_named(missing).items():
                self.tags[name] = (tag.id, tag.name)

    def thread_tags(self, thread: Thread) -> list[tuple[int, str]]:
        """The thread's tags in the order given, once each after aliases."""
        return list(dict.fromkeys(self.tags[name] for name in thread.tags))

    def insert_questions(self, threads: list[Thread]) -> list[int]:
        ids = reserve_ids(db.session, QUESTIONS, len(threads))
        rows, links, follows, revisions = [], [], [], []
        for question_id, thread in zip(ids, threads, strict=True):
            created = thread.data["created_at"]
            latest = max([created, *(item["created_at"] for _b, _a, item in thread.answers)])
            author_id = self.authors[thread.author][0]
            rows.append(
                {
                    "id": question_id,
                    "external_id": thread.external_id,
                    "title": thread.title,
                    "body": thread.body,
                    # Rendered by the job after the import (qa/unrendered.py).
                    "body_html": None,
                    "teaser": None,
                    "author_id": author_id,
                    "public": thread.data.get("public", False),
                    "featured": thread.data.get("featured", False),
                    "answer_count": len(thread.answers),
                    "hot_rank": hot_rank(len(thread.answers), created),
                    "created_at": created,
                    "updated_at": latest,
                    "render_version": new_version(),
                }
            )
            tags = self.thread_tags(thread)
            links += [{"question_id": question_id, "tag_id": tag_id} for tag_id, _name in tags]
            follows.append(
                {"user_id": author_id, "question_id": question_id, "created_at": created}
            )
            revisions.append(
                revision_row(
                    question_id=question_id,
                    title=thread.title,
                    tags=" ".join(name for _id, name in tags),
                    body=thread.body,
                    editor_id=author_id,
                    created_at=created,
                )
            )
        insert_rows(db.session, QUESTIONS, rows)
        insert_rows(db.session, question_tags, links)
        insert_rows(db.session, QuestionFollow.__table__, follows)
        insert_rows(db.session, Revision.__table__, revisions)
        return ids

    def insert_answers(self, threads: list[Thread], question_ids: list[int]) -> None:
        count = sum(len(thread.answers) for thread in threads)
        if not count:
            return
        ids = iter(reserve_ids(db.session, Answer.__table__, count))
        rows, revisions = [], []
        for question_id, thread in zip(question_ids, threads, strict=True):
            for body, author, item in thread.answers:
                author_id, expert = self.authors[author]
                answer_id = next(ids)
                rows.append(
                    {
                        "id": answer_id,
                        "question_id": question_id,
                        "author_id": author_id,
                        "body": body,
                        "body_html": None,
                        "score": item.get("votes", 0),
                        "accepted": item.get("accepted", False),
                        "by_expert": expert,
                        "created_at": item["created_at"],
                        "updated_at": item["created_at"],
                    }
                )
                revisions.append(
                    revision_row(
                        answer_id=answer_id,
                        body=body,
                        editor_id=author_id,
                        created_at=item["created_at"],
                    )
                )
        insert_rows(db.session, Answer.__table__, rows)
        insert_rows(db.session, Revision.__table__, revisions)


def author_name(email: str) -> str:
    """A new author's display name: the address's local part, or all of it when that is short."""
    local = email.split("@")[0]
    return (local if len(local) >= accounts.NAME_MIN else email)[: accounts.NAME_MAX]


def revision_row(**values) -> dict:
    """A first revision, its HTML left to the job; every row of one INSERT names the same
    columns."""
    return {
        "question_id": None,
        "answer_id": None,
        "number": 1,
        "title": "",
        "tags": "",
        "body_html": None,
        "note": "",
        **values,
    }
