"""Requests per second for the member deal feed, a deal page and the go link, next to a one-row
baseline in the same run.

Seeds 20,000 deals (half of them expired) into a fresh database (SQLite in a temporary folder,
or BENCH_DATABASE_URL), serves the site and a minimal Flask app reading one deal row from the
same database with gunicorn (2 workers each) and prints:

- the member feed page and a deal page against the baseline (wrk, interleaved rounds, as
  bench/qa_pages.py measures), beside the site's /healthz: a route that does no work, so its
  figure is the most any page of the site could reach through the same request handling
  (session, security headers, access log, metrics);
- the go link under 8 concurrent members (each its own session) for 20 s: redirects answered,
  errors, and clicks recorded in the database, which must equal the redirects; the baseline
  is measured by the same client for the same time, so the two rates compare.

    python bench/deals.py [--deals 20000] [--seconds 10] [--go-seconds 20] [--members 8]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from qa_pages import free_port, measure_interleaved, serve, settled_cookie  # noqa: E402

log = logging.getLogger("bench.deals")
SHOP = "https://union-click.jd.com/jdc?sku={sku}&subUnionId={{sub_id}}"
DESCRIPTION = "**历史低价**，PLUS 会员再减 5 元。\n\n- 官方旗舰店\n- 7 天无理由"


def make_baseline():
    """The reference app: one indexed deal row from the same database, through Flask and a
    Jinja template compiled once."""
    from flask import Flask
    from sqlalchemy import create_engine, text

    app = Flask("baseline")
    engine = create_engine(os.environ["BENCH_DATABASE_URL"])
    template = app.jinja_env.from_string(
        "<!doctype html><title>{{ row.title }}</title><h1>{{ row.title }}</h1>"
    )
    statement = text("SELECT id, title FROM deals WHERE id = :id")

    @app.route("/row/<int:row_id>")
    def row(row_id: int):
        with engine.connect() as connection:
            found = connection.execute(statement, {"id": row_id}).one()
        return template.render(row=found)

    return app


def seed(database_url: str, instance: Path, deals: int, members: int) -> tuple[list[str], int]:
    """Migrate and fill the database; return session cookies of `members` paying members and
    the id of the first live deal (live deals are the upper half of the ids)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from community import create_app
    from community.accounts import sign_ins
    from community.accounts.services import register_user
    from community.clock import utcnow
    from community.deals.items import item_key
    from community.deals.models import EXPIRED, LIVE, Deal, DealTag
    from community.extensions import db
    from community.membership.tiers import seed_default_tiers
    from community.search.indexer import ensure_index
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
        # What `flask search worker` does first in production: deal pages search related
        # questions, and without an index they would answer from the database.
        ensure_index()
        readers = []
        for n in range(members):
            reader = register_user(f"member{n}@example.com", f"会员{n}", None)
            reader.email_verified_at = utcnow()
            grant_period(reader, "member", 365)
            readers.append(reader)
        db.session.commit()
        now = utcnow()
        half = deals // 2
        categories = ("数码", "家电", "食品", "服饰", "家居", "美妆", "母婴", "运动")
        platforms = ("jd", "pdd", "other")
        started = time.perf_counter()
        for first in range(0, deals, 1000):
            rows = []
            for n in range(first, min(first + 1000, deals)):
                expired = n < half
                url = SHOP.format(sku=100_000_000 + n)
                rows.append(
                    {
                        "external_id": f"bench-{n}",
                        "title": f"第{n}号好价：降噪蓝牙耳机 限时特惠",
                        "description": DESCRIPTION,
                        "platform": platforms[n % 3],
                        "list_price": 29_900 + n % 500 * 100,
                        "price": 18_900 + n % 300 * 10,
                        "coupon": "满200减30",
                        "coupon_code": "",
                        "commission_rate": 300 + n % 700,
                        "url_template": url,
                        "item_key": item_key(url),
                        "image_url": "",
                        "category": categories[n % len(categories)],
                        "starts_at": now - timedelta(minutes=deals - n + 60),
                        "expires_at": (
                            now - timedelta(minutes=deals - n)
                            if expired
                            else now + timedelta(days=1 + n % 30)
                        ),
                        "status": EXPIRED if expired else LIVE,
                        "worth_votes": n % 13,
                        "unworth_votes": n % 5,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            ids = list(db.session.execute(insert(Deal).returning(Deal.id), rows).scalars())
            db.session.execute(
                insert(DealTag),
                [{"deal_id": deal_id, "name": "耳机", "position": 0} for deal_id in ids]
                + [
                    {"deal_id": deal_id, "name": f"标签{deal_id % 20}", "position": 1}
                    for deal_id in ids
                ],
            )
            db.session.commit()
        log.info("seeded %d deals in %.1fs", deals, time.perf_counter() - started)
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = []
        for reader in readers:
            sign_ins.open_sign_in(reader)
            db.session.commit()
            cookies.append(serializer.dumps({"_user_id": reader.get_id(), "_fresh": True}))
        db.engine.dispose()
    return cookies, half + 1


def count_clicks(database_url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        found = connection.execute(text("SELECT count(*) FROM deal_clicks")).scalar_one()
    engine.dispose()
    return found


def hammer(port: int, paths, cookies: list[str | None], seconds: float, expect: int, check):
    """Each of len(cookies) clients asks for random paths for `seconds`; returns (answered as
    expected, errors). `paths` is (format with one %d, lowest, highest)."""
    path, low, high = paths
    deadline = time.perf_counter() + seconds
    answered, errors = [0] * len(cookies), [0] * len(cookies)

    def client(index: int, cookie: str | None) -> None:
        rng = random.Random(index)
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        while time.perf_counter() < deadline:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                connection.request("GET", path % rng.randint(low, high), headers=headers)
                response = connection.getresponse()
                response.read()
                ok = response.status == expect and check(response)
            except OSError:
                ok = False
            finally:
                connection.close()
            if ok:
                answered[index] += 1
            else:
                errors[index] += 1

    threads = [threading.Thread(target=client, args=item) for item in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(answered), sum(errors)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--go-seconds", type=float, default=20.0)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this bench needs wrk (apt-get install wrk)")

    with tempfile.TemporaryDirectory(prefix="deals-bench-") as folder:
        instance = Path(folder)
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{instance / 'bench.db'}"
        cookies, first_live = seed(database_url, instance, args.deals, args.members)
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": database_url,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": "bench-secret-of-at-least-32-characters",
            "COMMUNITY_ENV": "production",
            "SITE_URL": "http://127.0.0.1",
            "PYTHONPATH": str(ROOT),
        }
        site_port, baseline_port = free_port(), free_port()
        site = serve("wsgi:app", site_port, env, ROOT)
        baseline = serve("deals:make_baseline()", baseline_port, env, ROOT / "bench")
        try:
            cookies = [settled_cookie(site_port, cookie) for cookie in cookies]
            live = (first_live, args.deals)
            targets = {
                "baseline (one row)": (baseline_port, ("/row/%d", *live), None),
                "no work (/healthz)": (site_port, ("/healthz?%d", 1, 50), None),
                "feed page (member)": (site_port, ("/deals/?page=%d", 1, 50), cookies[0]),
                "deal page (member)": (site_port, ("/deals/%d", *live), cookies[0]),
                "feed page (visitor)": (site_port, ("/deals/?page=%d", 1, 50), None),
            }
            pages = measure_interleaved(targets, args.seconds, args.rounds, 8)
            before = count_clicks(database_url)
            base_answered, base_errors = hammer(
                baseline_port,
                ("/row/%d", *live),
                [None] * args.members,
                args.go_seconds,
                200,
                lambda response: True,
            )
            shop = "https://union-click.jd.com/jdc?sku="

            def to_the_shop(response) -> bool:
                location = response.getheader("Location") or ""
                return location.startswith(shop) and "subUnionId=" in location

            redirects, go_errors = hammer(
                site_port, ("/go/%d", *live), cookies, args.go_seconds, 302, to_the_shop
            )
            clicks = count_clicks(database_url) - before
        finally:
            for process in (site, baseline):
                process.terminate()
                process.wait(timeout=10)
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"{args.deals} deals (half expired), {backend}, gunicorn 2 workers, "
        f"{args.seconds:.0f}s per page in {args.rounds} interleaved rounds, 8 connections"
    )
    for name, rate in pages.items():
        print(f"  {name:22s} {rate:9.1f} req/s {rate / pages['baseline (one row)']:5.2f} x base")
    base_rate, go_rate = base_answered / args.go_seconds, redirects / args.go_seconds
    print(
        f"go link, {args.members} members at once for {args.go_seconds:.0f}s (new connection each):"
    )
    print(f"  baseline (one row)     {base_rate:9.1f} req/s, {base_errors} errors")
    print(
        f"  go link (click+302)    {go_rate:9.1f} req/s {go_rate / base_rate:5.2f} x base, "
        f"{go_errors} errors, {redirects} redirects, {clicks} clicks recorded"
    )
    if go_errors or clicks != redirects:
        raise SystemExit("go link lost clicks or answered errors")


if __name__ == "__main__":
    main()
