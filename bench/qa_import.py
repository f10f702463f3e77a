"""Questions per second of `flask qa import`, against the best simple version of the same work.

Writes a JSON-lines file of 5,000 questions × 5 answers (Chinese Markdown, 200 authors, 300
tags), then on each database (SQLite in a temporary folder; PostgreSQL when BENCH_DATABASE_URL
names one, whose `public` schema is dropped and recreated) times, in the same run:

- the import as `flask qa import` runs it (checking pass, batched writes, search outbox), with
  Markdown rendered in one process and in one per CPU, then bringing the search index up to
  date (a rebuild, timed apart);
- the baseline, measured next to each import: the file read line by line, `json.loads`, the
  same Markdown rendering (one process), and one plain `executemany` per table of the same
  rows (users, tags, questions, tag links, follows, answers, revisions) in one transaction —
  no checks, no search.

Prints questions/s for each, the import's speed as a ratio of the baseline's, and (for one
process) questions per CPU second of each, which a busy machine does not skew. Goal: at least
500 questions/s on both databases.

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


def run_import(app, path: Path, processes: int) -> tuple[float, float, float, int]:
    from community.extensions import db
    from community.qa.cli import import_file
    from community.search.indexer import catch_up

    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        report = import_file(path, partial=False, show_progress=False, processes=processes)
        imported, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert not report.errors, report.errors[:3]
        started = time.perf_counter()
        catch_up()
        indexed = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return imported, cpu, indexed, report.created


def run_baseline(app, path: Path) -> tuple[float, float]:
    """The same rows with one plain executemany per table, no checks and no search."""
    from sqlalchemy import insert, select

    from community.accounts.models import User
    from community.extensions import db
    from community.qa import markdown
    from community.qa.models import Answer, Question, QuestionFollow, Revision, Tag
    from community.qa.models import question_tags as links

    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        connection = db.session.connection()
        records = []
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                record["body_html"], record["teaser"] = markdown.render_with_teaser(record["body"])
                for answer in record["answers"]:
                    answer["body_html"] = markdown.render(answer["body"])
                records.append(record)
        emails = sorted(
            {r["author"] for r in records} | {a["author"] for r in records for a in r["answers"]}
        )
        connection.execute(
            insert(User),
            [
                {"email": e, "name": e.split("@")[0], "invite_code": f"B{i:07d}"}
                for i, e in enumerate(emails)
            ],
        )
        users = dict(connection.execute(select(User.email, User.id)).all())
        names = sorted({t for r in records for t in r["tags"]})
        connection.execute(insert(Tag), [{"name": name} for name in names])
        tags = dict(connection.execute(select(Tag.name, Tag.id)).all())
        question_rows = [
            {
                "external_id": r["id"],
                "title": r["title"],
                "body": r["body"],
                "body_html": r["body_html"],
                "teaser": r["teaser"],
                "author_id": users[r["author"]],
                "created_at": datetime.fromisoformat(r["created_at"]),
                "updated_at": datetime.fromisoformat(r["created_at"]),
            }
            for r in records
        ]
        connection.execute(insert(Question), question_rows)
        ids = dict(connection.execute(select(Question.external_id, Question.id)).all())
        connection.execute(
            insert(links),
            [
                {"question_id": ids[r["id"]], "tag_id": tags[t]}
                for r in records
                for t in dict.fromkeys(r["tags"])
            ],
        )
        connection.execute(
            insert(QuestionFollow),
            [{"user_id": users[r["author"]], "question_id": ids[r["id"]]} for r in records],
        )
        connection.execute(
            insert(Revision),
            [
                {
                    "question_id": ids[r["id"]],
                    "title": r["title"],
                    "body": r["body"],
                    "body_html": r["body_html"],
                    "editor_id": users[r["author"]],
                }
                for r in records
            ],
        )
        answer_rows = [
            {
                "question_id": ids[r["id"]],
                "author_id": users[a["author"]],
                "body": a["body"],
                "body_html": a["body_html"],
                "score": a["votes"],
                "accepted": a["accepted"],
                "created_at": datetime.fromisoformat(a["created_at"]),
                "updated_at": datetime.fromisoformat(a["created_at"]),
            }
            for r in records
            for a in r["answers"]
        ]
        connection.execute(insert(Answer), answer_rows)
        answer_ids = connection.execute(
            select(Answer.id, Answer.body, Answer.body_html, Answer.author_id)
        ).all()
        connection.execute(
            insert(Revision),
            [
                {"answer_id": i, "body": b, "body_html": h, "editor_id": e}
                for i, b, h, e in answer_ids
            ],
        )
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db.session.remove()
        db.engine.dispose()
    return elapsed, cpu


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
            for processes in sorted({1, os.cpu_count() or 1}):
                instance = folder / f"{name}-import-{processes}"
                app = fresh_app(url or f"sqlite:///{instance / 'bench.db'}", instance)
                imported, cpu, indexed, created = run_import(app, path, processes)
                assert created == options.questions
                instance = folder / f"{name}-baseline-{processes}"
                app = fresh_app(url or f"sqlite:///{instance / 'bench.db'}", instance)
                baseline, baseline_cpu = run_baseline(app, path)
                rate = options.questions / imported
                log.info(
                    "%-10s import, %d process(es): %4.0f questions/s in %.1f s (goal %d: %s); "
                    "%.2f× the baseline (%.0f questions/s in %.1f s); search index after it %.1f s",
                    name,
                    processes,
                    rate,
                    imported,
                    GOAL,
                    "met" if rate >= GOAL else "NOT met",
                    baseline / imported,
                    options.questions / baseline,
                    baseline,
                    indexed,
                )
                # CPU seconds of this process: what the run costs whatever else the machine
                # does (forked renderers not counted, so only with one process).
                if processes == 1:
                    log.info(
                        "%-10s per CPU second of this process: import %.0f questions, "
                        "baseline %.0f",
                        name,
                        options.questions / cpu,
                        options.questions / baseline_cpu,
                    )


if __name__ == "__main__":
    main()
