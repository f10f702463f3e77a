"""Requests per second for the Q&A question page and newest list, next to a one-row baseline.

Seeds 10,000 questions with 10 answers each into a fresh database (SQLite in a temporary
folder, or BENCH_DATABASE_URL), serves the site and a minimal Flask app reading one row from
the same database with gunicorn (2 workers each), and prints both rates and their ratio twice:
first with nothing rendered yet (pages picked at random, so nearly every visit is a page's
first), then after every member page has been opened once (the steady state of a site whose
pages have all been read since they last changed). The member reading is a paying member who
wrote none of the questions or answers (authors see their own controls, rendered for them).

The baseline is the best simple version of the same work: one indexed row from the same
database through Flask and a Jinja template compiled once, as a real app's templates are.
Load comes from wrk (Debian's `wrk`), random ids drawn by its Lua script.

    python bench/qa_pages.py [--questions 10000] [--seconds 10] [--rounds 5] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

log = logging.getLogger("bench.qa_pages")
ANSWERS_PER_QUESTION = 10
WARM_UP_SECONDS = 2.0
BODY = (
    "信用卡年费的减免规则各家银行不一样，**招行**刷满六次，**中信**九次。\n\n"
    "- 支付宝、微信绑卡消费一般都算\n- 年费周期按开卡日算\n\n"
    "| 卡种 | 次数 |\n|---|---|\n| 普卡 | 6 |\n| 金卡 | 6 |\n"
)
ANSWER = "先在 App 里查年费减免进度，再决定刷几笔。`小额也算`，链接见 [说明](https://example.com)。"


def make_baseline():
    """The reference app: one indexed row from the same database, through Flask and a Jinja
    template compiled once."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    app = Flask("baseline")
    engine = create_engine(os.environ["BENCH_DATABASE_URL"])
    template = app.jinja_env.from_string(
        "<!doctype html><title>{{ row.title }}</title><h1>{{ row.title }}</h1>"
    )
    statement = text("SELECT id, title FROM qa_questions WHERE id = :id")

    @app.route("/row/<int:row_id>")
    def row(row_id: int):
        with engine.connect() as connection:
            found = connection.execute(statement, {"id": row_id}).one()
        return template.render(row=found)

    return app


def seed(database_url: str, instance: Path, questions: int) -> str:
    """Migrate and fill the database; return a session cookie of a paying member."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from community import create_app
    from community.accounts import sign_ins
    from community.clock import utcnow
    from community.extensions import db
    from community.membership.tiers import seed_default_tiers
    from community.qa import markdown
    from community.qa.models import Answer, Question, Tag, question_tags
    from tests.conftest import grant_period

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-secret-of-at-least-32-characters",
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 1024,
        }
    )
    with app.app_context():
        upgrade()
        seed_default_tiers()
        from community.accounts.services import register_user

        users = [register_user(f"bench{n}@example.com", f"测试用户{n}", None) for n in range(50)]
        # The paying member who reads; the 50 authors wrote every question and answer.
        reader = register_user("reader@example.com", "读者", None)
        reader.email_verified_at = utcnow()
        grant_period(reader, "member", 365)
        tags = [Tag(name=name) for name in ("信用卡", "年费", "返利", "理财", "旅行", "数码")]
        db.session.add_all(tags)
        db.session.commit()
        body_html, answer_html = markdown.render(BODY), markdown.render(ANSWER)
        teaser = markdown.teaser(BODY)
        now = utcnow()
        started = time.perf_counter()
        for first in range(0, questions, 1000):
            count = min(1000, questions - first)
            question_rows = [
                {
                    "title": f"第{first + n}个问题：信用卡年费怎么免",
                    "body": BODY,
                    "body_html": body_html,
                    "teaser": teaser,
                    "author_id": users[(first + n) % 50].id,
                    "score": (first + n) % 7,
                    "answer_count": ANSWERS_PER_QUESTION,
                    "hot_rank": float(first + n),
                    "created_at": now - timedelta(minutes=questions - first - n),
                    "updated_at": now,
                }
                for n in range(count)
            ]
            ids = db.session.execute(insert(Question).returning(Question.id), question_rows)
            ids = list(ids.scalars())
            db.session.execute(
                insert(question_tags),
                [{"question_id": qid, "tag_id": tags[qid % len(tags)].id} for qid in ids]
                + [{"question_id": qid, "tag_id": tags[(qid + 1) % len(tags)].id} for qid in ids],
            )
            db.session.execute(
                insert(Answer),
                [
                    {
                        "question_id": qid,
                        "author_id": users[(qid + a) % 50].id,
                        "body": ANSWER,
                        "body_html": answer_html,
                        "score": a,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for qid in ids
                    for a in range(ANSWERS_PER_QUESTION)
                ],
            )
            db.session.commit()
        log.info("seeded %d questions in %.1fs", questions, time.perf_counter() - started)
        sign_ins.open_sign_in(reader)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookie = serializer.dumps({"_user_id": reader.get_id(), "_fresh": True})
        db.engine.dispose()
    return cookie


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(target: str, port: int, env: dict, chdir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(chdir),
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and gunicorn
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not start: {target}")


def settled_cookie(port: int, cookie: str) -> str:
    """The session cookie after one visit, as a browser keeps it (with its CSRF secret)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/qa/", headers={"Cookie": f"session={cookie}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name == "session":
            return rest.split(";", 1)[0]
    return cookie


WRK_SCRIPT = """
local low, high = {low}, {high}
request = function()
  return wrk.format("GET", string.format("{path}", math.random(low, high)))
end
response = function(status)
  if status ~= 200 then failed = (failed or 0) + 1 end
end
done = function(summary)
  io.write(string.format("BENCH %d %d\\n", summary.requests, summary.errors.status))
end
"""


def measure(port: int, paths, seconds: float, concurrency: int, cookie: str | None) -> int:
    """Answered requests in `seconds` with `concurrency` wrk connections; any answer but 200
    stops the bench. `paths` is (a path format with one %d, lowest, highest)."""
    path, low, high = paths
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(low=low, high=high, path=path))
    command = ["wrk", "-t", "2", "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s"]
    command += ["-s", script.name, "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: session={cookie}"]
    try:
        run = subprocess.run(  # noqa: S603 - wrk from the system, our own arguments
            [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True
        )
    finally:
        os.unlink(script.name)
    if run.returncode or "BENCH " not in run.stdout:
        raise RuntimeError(f"wrk failed on {path}: {run.stdout}{run.stderr}")
    output = run.stdout
    requests, not_ok = map(int, output.split("BENCH ", 1)[1].split()[:2])
    if not_ok:
        raise RuntimeError(f"{not_ok} answers were not 200 on {path}")
    return requests


def measure_interleaved(targets: dict, seconds: float, rounds: int, concurrency: int) -> dict:
    """Requests per second per target, measured in alternating slices.

    The machine may be busy with other work; slicing every target across the same rounds
    exposes them all to the same background load, so the ratios stay fair. Each target is
    warmed up first (imports, compiled templates, pooled connections), so the figures are the
    steady state of the processes.
    """
    for port, paths, cookie in targets.values():
        measure(port, paths, WARM_UP_SECONDS, concurrency, cookie)
    counts = dict.fromkeys(targets, 0)
    for _ in range(rounds):
        for name, (port, paths, cookie) in targets.items():
            counts[name] += measure(port, paths, seconds / rounds, concurrency, cookie)
    return {name: count / seconds for name, count in counts.items()}


def visit_all(port: int, paths: list[str], cookie: str, concurrency: int) -> float:
    """Open every path once (spread over `concurrency` clients); return the seconds it took."""
    started = time.perf_counter()
    queue = list(reversed(paths))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", path, headers={"Cookie": f"session={cookie}"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this bench needs wrk (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="qa-bench-") as folder:
        instance = Path(folder)
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance / 'bench.db'}"
        cookie = seed(database_url, instance, args.questions)
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": database_url,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-secret-of-at-least-32-characters",
            # Production settings, as deployed: no debugger, templates never re-read from disk.
            "COMMUNITY_ENV": "production",
            "SITE_URL": "http://127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        site_port, baseline_port = free_port(), free_port()
        site = serve("wsgi:app", site_port, env, ROOT)
        baseline = serve("qa_pages:make_baseline()", baseline_port, env, ROOT / "bench")
        try:
            cookie = settled_cookie(site_port, cookie)
            every_id = (1, args.questions)
            targets = {
                "baseline (one row)": (baseline_port, ("/row/%d", *every_id), None),
                "question page (member)": (site_port, ("/qa/%d", *every_id), cookie),
                "newest list (member)": (site_port, ("/qa/?page=%d", 1, 50), cookie),
                "question page (visitor)": (site_port, ("/qa/%d", *every_id), None),
            }
            first = measure_interleaved(targets, args.seconds, args.rounds, args.concurrency)
            every_page = [f"/qa/{n}" for n in range(1, args.questions + 1)]
            every_page += [f"/qa/?page={n}" for n in range(1, 51)]
            took = visit_all(site_port, every_page, cookie, args.concurrency)
            log.info("opened all %d member pages once in %.0fs", len(every_page), took)
            warm = measure_interleaved(targets, args.seconds, args.rounds, args.concurrency)
        finally:
            for process in (site, baseline):
                process.terminate()
                process.wait(timeout=10)
    backend = database_url.split(":", 1)[0]
    print(
        f"{args.questions} questions x {ANSWERS_PER_QUESTION} answers, {backend}, "
        f"gunicorn 2 workers, {args.concurrency} clients, "
        f"{args.seconds:.0f}s per page in {args.rounds} interleaved rounds"
    )
    print(f"{'':26s} {'first visits':>28s} {'after every page was opened':>32s}")
    for name in targets:
        cold, hot = first[name], warm[name]
        print(
            f"{name:26s} {cold:10.1f} req/s {cold / first['baseline (one row)']:5.2f} x base"
            f" {hot:14.1f} req/s {hot / warm['baseline (one row)']:5.2f} x base"
        )


if __name__ == "__main__":
    main()
