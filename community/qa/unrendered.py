"""Texts stored before their HTML: an import writes the Markdown alone (`body_html`, and a
question's `teaser`, NULL) and the `qa.render-unrendered` job renders them in batches after it.

Until the job has, whatever reads such a text renders it on demand exactly as the job will, so
a page, feed, API answer or search document never shows raw Markdown or nothing, and a rendering
cached meanwhile stays right afterwards (which is why the job bumps no render version). ORM
objects are filled as they load (`fill_loaded`); list rows, which leave the body unloaded, by
`fill_teasers`; the rows pages read through Core by `question_texts` and `answers_html`. None of
this decides who may read what: it only fills in what the caller already chose to load.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from sqlalchemy import bindparam, event, func, inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.extensions import db
from community.qa import markdown
from community.qa.models import Answer, Question, Revision

log = logging.getLogger(__name__)
BATCH = 500
QUESTIONS, ANSWERS, REVISIONS = Question.__table__, Answer.__table__, Revision.__table__


def fill_loaded(target, *_args) -> None:
    """Listener of `load` and `refresh`: a loaded text whose HTML waits gets it rendered, set as
    if it had been read (the object is not made dirty, so nothing is written back)."""
    loaded = inspect(target).dict
    if loaded.get("body") is None:
        return
    waiting = [name for name in ("body_html", "teaser") if name in loaded and loaded[name] is None]
    if not waiting:
        return
    if isinstance(target, Question):
        html, teaser = markdown.render_with_teaser(loaded["body"])
        for name in waiting:
            set_committed_value(target, name, html if name == "body_html" else teaser)
    else:
        set_committed_value(target, "body_html", markdown.render(loaded["body"]))


def fill_teasers(questions: Iterable[Question]) -> None:
    """Teasers of list rows (loaded without their body) that wait, from their bodies read in
    one query; nothing is read when none waits."""
    waiting = {question.id: question for question in questions if question.teaser is None}
    if not waiting:
        return
    bodies = db.session.execute(
        select(QUESTIONS.c.id, QUESTIONS.c.body).where(QUESTIONS.c.id.in_(list(waiting)))
    )
    for question_id, body in bodies:
        set_committed_value(waiting[question_id], "teaser", markdown.teaser(body))


def question_texts(question_id: int) -> tuple[str, str]:
    """A question's HTML and teaser rendered from its body (a Core row whose HTML waits)."""
    body = db.session.scalar(select(QUESTIONS.c.body).where(QUESTIONS.c.id == question_id))
    return markdown.render_with_teaser(body or "")


def answers_html(answer_ids: list[int]) -> dict[int, str]:
    """These answers' HTML rendered from their bodies, read in one query."""
    if not answer_ids:
        return {}
    rows = db.session.execute(
        select(ANSWERS.c.id, ANSWERS.c.body).where(ANSWERS.c.id.in_(answer_ids))
    )
    return {answer_id: markdown.render(body) for answer_id, body in rows}


def waiting_count() -> int:
    """Questions and answers whose HTML waits (their first revisions are rendered with them)."""
    return sum(
        db.session.scalar(
            select(func.count()).select_from(table).where(table.c.body_html.is_(None))
        )
        or 0
        for table in (QUESTIONS, ANSWERS)
    )


def render_waiting(progress: Callable[[int], object] | None = None, batch: int = BATCH) -> int:
    """Render every text whose HTML waits, one batch per committed transaction; returns how
    many this call rendered, and tells `progress` after each batch of questions or answers.

    Safe to run in several processes at once: PostgreSQL hands each its own rows (SKIP LOCKED);
    on SQLite a text two runs rendered is written by the first only, since every write checks
    the HTML still waits. An edit meanwhile wins the same way (it always writes the HTML).
    """
    rendered = 0
    for table, owner in ((QUESTIONS, "question_id"), (ANSWERS, "answer_id")):
        while rows := waiting_rows(table, batch):
            texts = [rendered_row(table, row_id, body) for row_id, body in rows]
            write_html(table, texts)
            write_first_revisions(owner, texts)
            db.session.commit()
            rendered += len(rows)
            if progress is not None:
                progress(len(rows))
    # Revisions whose text an edit changed before the job came (their own HTML still waits).
    while rows := waiting_rows(REVISIONS, batch):
        write_html(REVISIONS, [rendered_row(REVISIONS, row_id, body) for row_id, body in rows])
        db.session.commit()
        rendered += len(rows)
    log.info("rendered %d waiting text(s)", rendered)
    return rendered


def waiting_rows(table, batch: int) -> list[tuple[int, str]]:
    statement = (
        select(table.c.id, table.c.body)
        .where(table.c.body_html.is_(None))
        .order_by(table.c.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return [tuple(row) for row in db.session.execute(statement)]


def rendered_row(table, row_id: int, body: str) -> dict:
    """The parameters that write a row's HTML (a question's teaser too) and match its revisions."""
    row = {"row_id": row_id, "source": body}
    if table is QUESTIONS:
        row["rendered_html"], row["rendered_teaser"] = markdown.render_with_teaser(body)
    else:
        row["rendered_html"] = markdown.render(body)
    return row


def write_html(table, rows: list[dict]) -> None:
    """Each row's HTML (and teaser), where it still waits: Core, so no render version moves."""
    values = {"body_html": bindparam("rendered_html")}
    if table is QUESTIONS:
        values["teaser"] = bindparam("rendered_teaser")
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.body_html.is_(None))
        .values(values)
    )
    db.session.connection().execute(statement, rows)


def write_first_revisions(owner: str, rows: list[dict]) -> None:
    """The same HTML for the rows' revisions with the same text (the import's first revision
    of each), so they cost no second rendering.

    A revision's text never changes, so this HTML is right whether or not it still waits; not
    asking keeps the database from reading every waiting revision (their index) for each row.
    """
    statement = (
        update(REVISIONS)
        .where(REVISIONS.c[owner] == bindparam("row_id"), REVISIONS.c.body == bindparam("source"))
        .values(body_html=bindparam("rendered_html"))
    )
    db.session.connection().execute(statement, rows)


def init_app() -> None:
    for model in (Question, Answer, Revision):
        if not event.contains(model, "load", fill_loaded):
            event.listen(model, "load", fill_loaded)
            event.listen(model, "refresh", fill_loaded)
