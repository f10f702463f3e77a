"""Questions per second of `flask qa import`, against the best simple version of the same work.

Writes a JSON-lines file of 5,000 questions × 5 answers (Chinese Markdown, 200 authors, 300
tags), then on each database (SQLite in a temporary folder; PostgreSQL when BENCH_DATABASE_URL
names one, whose `public` schema is dropped and recreated) times, in the same run:

- the import as `flask qa import` runs it (checking pass, batched writes with reserved ids,
  COPY on PostgreSQL, search outbox), which stores the Markdown and leaves its HTML waiting;
- the rendering job after it (`qa.render-unrendered`: every question, answer and first
  revision rendered and written), timed apart, beside the same texts rendered alone with no
  database (what the job cannot do without);
- bringing the search index up to date after both (a rebuild), timed apart;
- the baseline, in a database of its own: the file read, `json.loads`, and one bulk insert per
  table of the same rows, HTML left waiting as the import leaves it (`insert_rows`: COPY on
  PostgreSQL, executemany on SQLite) in one transaction — no checks, no rendering, no search.

Prints questions/s of the import (wall, and per CPU second of this process, which a busy
machine skews less; PostgreSQL's own work is not in it), the baseline's, the rendering job's
texts/s, and the load average. Goal: the import at 500 questions/s or more on both databases.

    python bench/qa_import.py [--questions 5000] [--answers 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL = 500  # questions per second
log = logging.getLogger("bench.qa_import")
WORDS = [
    "信用卡",
    "年费",
    "返利",
    "理财",
    "规划",
    "教育",
    "保险",
    "基金",
    "房贷",
    "公积金",
    "旅行",
    "里程",
    "积分",
    "优惠券",
    "淘宝",
    "京东",
]


def write_threads(path: Path, questions: int, answers: int) -> None:
    rng = random.Random(questions)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(questions):
            moment = start + timedelta(minutes=n)

            def text(sentences: int) -> str:
                return "\n\n".join(
                    f"**{rng.choice(WORDS)}**：" + "，".join(rng.sample(WORDS, 6)) + "。"
                    for _ in range(sentences)
                )

            record = {
                "id": f"old-{n}",
                "title": f"{rng.choice(WORDS)}和{rng.choice(WORDS)}怎么选？第{n}问",
                "body": text(4),
                "tags": [f"标签{rng.randrange(300)}", rng.choice(WORDS)],
                "author": f"author{rng.randrange(200)}@example.com",
                "created_at": moment.isoformat(),
                "public": n % 10 == 0,
                "featured": n % 25 == 0,
                "answers": [
                    {
                        "body": text(3),
                        "author": f"author{rng.randrange(200)}@example.com",
                        "accepted": k == 0,
                        "votes": rng.randrange(20),
                        "created_at": (moment + timedelta(hours=k + 1)).isoformat(),
                    }
                    for k in range(answers)
                ],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def fresh_app(url: str, instance: Path):
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from community import create_app
    from community.extensions import db

    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(instance),
            "SEARCH_INDEXER": "worker",
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def run_import(app, path: Path) -> dict:
    """`flask qa import`'s work, then the rendering job's, then the search index's."""
    from community.extensions import db
    from community.qa import unrendered
    from community.qa.cli import import_file
    from community.search.indexer import catch_up

    with app.app_context():
        clock = Clock()
        report = import_file(path, partial=False, show_progress=False)
        imported = clock.lap()
        assert not report.errors, report.errors[:3]
        texts = unrendered.render_waiting()
        rendered = clock.lap()
        catch_up()
        indexed = clock.lap()
        db.session.remove()
        db.engine.dispose()
    return {
        "created": report.created,
        "import": imported,
        "render": rendered,
        "texts": texts,
        "index": indexed,
    }


class Clock:
    """Wall and CPU seconds of this process since the last lap."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        lap = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return lap


def run_baseline(app, path: Path) -> tuple[float, float]:
    """The same rows with one bulk insert per table (COPY on PostgreSQL, executemany on
    SQLite), no checks, no rendering and no search."""
    from sqlalchemy import select

    from community.accounts.models import User
    from community.database import insert_rows
    from community.extensions import db
    from community.qa.models import Answer, Question, QuestionFollow, Revision, Tag
    from community.qa.models import question_tags as links

    def write(model, rows: list[dict]) -> None:
        insert_rows(db.session, getattr(model, "__table__", model), rows)

    with app.app_context():
        clock = Clock()
        connection = db.session.connection()
        with path.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines]
        emails = sorted(
            {r["author"] for r in records} | {a["author"] for r in records for a in r["answers"]}
        )
        write(
            User,
            [
                {"email": e, "name": e.split("@")[0], "invite_code": f"B{i:07d}"}
                for i, e in enumerate(emails)
            ],
        )
        users = dict(connection.execute(select(User.email, User.id)).all())
        names = sorted({t for r in records for t in r["tags"]})
        write(Tag, [{"name": name} for name in names])
        tags = dict(connection.execute(select(Tag.name, Tag.id)).all())
        write(
            Question,
            [
                {
                    "external_id": r["id"],
                    "title": r["title"],
                    "body": r["body"],
                    "author_id": users[r["author"]],
                    "created_at": datetime.fromisoformat(r["created_at"]),
                    "updated_at": datetime.fromisoformat(r["created_at"]),
                }
                for r in records
            ],
        )
        ids = dict(connection.execute(select(Question.external_id, Question.id)).all())
        write(
            links,
            [
                {"question_id": ids[r["id"]], "tag_id": tags[t]}
                for r in records
                for t in dict.fromkeys(r["tags"])
            ],
        )
        write(
            QuestionFollow,
            [{"user_id": users[r["author"]], "question_id": ids[r["id"]]} for r in records],
        )
        write(
            Revision,
            [
                {
                    "question_id": ids[r["id"]],
                    "title": r["title"],
                    "body": r["body"],
                    "editor_id": users[r["author"]],
                }
                for r in records
            ],
        )
        write(
            Answer,
            [
                {
                    "question_id": ids[r["id"]],
                    "author_id": users[a["author"]],
                    "body": a["body"],
                    "score": a["votes"],
                    "accepted": a["accepted"],
                    "created_at": datetime.fromisoformat(a["created_at"]),
                    "updated_at": datetime.fromisoformat(a["created_at"]),
                }
                for r in records
                for a in r["answers"]
            ],
        )
        answers = connection.execute(select(Answer.id, Answer.body, Answer.author_id)).all()
        write(Revision, [{"answer_id": i, "body": b, "editor_id": e} for i, b, e in answers])
        db.session.commit()
        elapsed = clock.lap()
        db.session.remove()
        db.engine.dispose()
    return elapsed


def render_alone(path: Path) -> tuple[tuple[float, float], int]:
    """The rendering the job does, without a database: every text of the file, one process."""
    from community.qa import markdown

    with path.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    clock = Clock()
    for record in records:
        markdown.render_with_teaser(record["body"])
        for answer in record["answers"]:
            markdown.render(answer["body"])
    return clock.lap(), sum(1 + len(record["answers"]) for record in records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--answers", type=int, default=5)
    options = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    databases = {"sqlite": None}
    if os.environ.get("BENCH_DATABASE_URL"):
        databases["postgresql"] = os.environ["BENCH_DATABASE_URL"]
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "threads.jsonl"
        write_threads(path, options.questions, options.answers)
        log.info(
            "%d questions × %d answers, %.1f MB",
            options.questions,
            options.answers,
            path.stat().st_size / 1e6,
        )
        for name, url in databases.items():
            log.info("%-10s load average before: %s", name, load_average())
            instance = folder / f"{name}-import"
            app = fresh_app(url or f"sqlite:///{instance / 'bench.db'}", instance)
            run = run_import(app, path)
            assert run["created"] == options.questions
            instance = folder / f"{name}-baseline"
            app = fresh_app(url or f"sqlite:///{instance / 'bench.db'}", instance)
            baseline = run_baseline(app, path)
            alone, texts = render_alone(path)
            report(name, options.questions, run, baseline, alone, texts)
        log.info("load average after the runs: %s", load_average())


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def report(name: str, questions: int, run: dict, baseline, alone, texts: int) -> None:
    (wall, cpu), (render_wall, render_cpu) = run["import"], run["render"]
    rate = questions / wall
    log.info(
        "%-10s import: %5.0f questions/s in %.2f s (goal %d: %s), %5.0f per CPU second; "
        "baseline %5.0f/s in %.2f s, %5.0f per CPU second (the import at %.2f× its speed)",
        name,
        rate,
        wall,
        GOAL,
        "met" if rate >= GOAL else "NOT met",
        questions / cpu,
        questions / baseline[0],
        baseline[0],
        questions / baseline[1],
        baseline[0] / wall,
    )
    log.info(
        "%-10s rendering job after it: %d texts in %.1f s (%.0f texts/s, %.0f per CPU second); "
        "the same %d texts rendered alone, no database: %.1f s (%.0f per CPU second)",
        name,
        run["texts"],
        render_wall,
        run["texts"] / render_wall,
        run["texts"] / render_cpu,
        texts,
        alone[0],
        texts / alone[1],
    )
    log.info(
        "%-10s import and rendering together: %.0f questions/s; search index after them %.1f s",
        name,
        questions / (wall + render_wall),
        run["index"][0],
    )


if __name__ == "__main__":
    main()
