"""Load and fault runs against the production setup: gunicorn (two workers), PostgreSQL, Redis.

Starts a PostgreSQL cluster and a redis-server of its own (bench/load_services.py), seeds
questions, serves the site with gunicorn_conf.py next to `flask search worker`, and drives a mix
of visitor pages, member pages, search, the API and posting (new questions, wrong-password
sign-ins that pass the Redis rate limits) from threads (one keep-alive connection each). Then,
each under the same load:

- PostgreSQL restarted: answers meanwhile are calm 503s (never 500), and the site serves again
  without a restart;
- Redis killed, then Redis hung (SIGSTOP): rate limits fail open, no 500, no request waits
  past the Redis timeout by much (the slowest answer is reported and bounded);
- a gunicorn worker killed mid-request: only requests on that worker are lost, a new worker
  serves after;
- the search worker killed mid-batch and started again: every question posted during the run
  is found by search afterwards.

Prints requests, errors and p50/p95/max per route for each run; exits 1 when a check fails.

    python bench/load.py [--seconds 60] [--connections 32] [--short]  (--short: 20 s each)
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import re
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from load_services import PostgresCluster, RedisServer, Site
from qa_pages import ROOT, seed

log = logging.getLogger("bench.load")
WORDS = ["信用卡", "年费", "返利", "理财", "旅行", "数码"]
SLOWEST_ALLOWED = 5.0


@dataclass
class Identity:
    member_cookie: str
    member_token: str
    visitor_cookie: str
    visitor_token: str
    api_token: str
    questions: int


@dataclass
class Results:
    started: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    timeline: list = field(default_factory=list)
    posted: list = field(default_factory=list)

    def record(self, route: str, status: int | str, seconds: float) -> None:
        with self.lock:
            self.latencies[route].append(seconds)
            self.statuses[route][status] += 1
            self.timeline.append((time.monotonic() - self.started, route, status))


def request_mix(identity: Identity, rng: random.Random):
    """One request of the mix: (route, method, path, headers, body, expected status)."""
    question = rng.randint(1, identity.questions)
    word = rng.choice(WORDS)
    member = {"Cookie": f"session={identity.member_cookie}"}
    choices = [
        (3, ("visitor home", "GET", "/", {}, None, 200)),
        (6, ("visitor question", "GET", f"/qa/{question}", {}, None, 200)),
        (2, ("visitor list", "GET", "/qa/", {}, None, 200)),
        (6, ("member question", "GET", f"/qa/{question}", member, None, 200)),
        (2, ("member list", "GET", "/qa/?page=2", member, None, 200)),
        (3, ("search", "GET", f"/search?q={quote(word)}", {}, None, 200)),
        (2, ("api search", "GET", f"/api/v1/search?q={quote(word)}", api(identity), None, 200)),
        (1, ("api me", "GET", "/api/v1/me", api(identity), None, 200)),
        (1, ask_question(identity, rng)),
        (1, wrong_sign_in(identity)),
    ]
    return rng.choices([choice for _weight, choice in choices], [w for w, _c in choices])[0]


def api(identity: Identity) -> dict:
    return {"Authorization": f"Bearer {identity.api_token}"}


def ask_question(identity: Identity, rng: random.Random):
    marker = "".join(rng.choices(string.ascii_lowercase, k=10))
    form = {
        "csrf_token": identity.member_token,
        "title": f"负载测试提问 {marker} 怎么办",
        "body": f"这是负载测试写的问题，标记 {marker}，内容足够长。",
        "tags": "年费",
    }
    headers = {
        "Cookie": f"session={identity.member_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return ("post question", "POST", "/qa/ask", headers, urlencode(form), 302, marker)


def wrong_sign_in(identity: Identity):
    form = {
        "csrf_token": identity.visitor_token,
        "email": "reader@example.com",
        "password": "not the password",
    }
    headers = {
        "Cookie": f"session={identity.visitor_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return ("sign-in (limited)", "POST", "/account/login", headers, urlencode(form), 400)


def drive(port: int, identity: Identity, results: Results, stop: threading.Event, seed_: int):
    rng = random.Random(seed_)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        route, method, path, headers, body, expected, *marker = request_mix(identity, rng)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            status = f"dropped ({type(error).__name__})"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        results.record(route, status if status != expected else "ok", time.monotonic() - started)
        if marker and status == expected:
            location = response.getheader("Location", "")
            found = re.search(r"/qa/(\d+)", location)
            if found:
                with results.lock:
                    results.posted.append((int(found.group(1)), marker[0]))
    connection.close()


def run_load(site: Site, identity: Identity, seconds: float, connections: int, events=()):
    """Drive the mix for `seconds`; `events` are (second, action) run on time meanwhile."""
    results = Results()
    stop = threading.Event()
    threads = [
        threading.Thread(target=drive, args=(site.port, identity, results, stop, n))
        for n in range(connections)
    ]
    for thread in threads:
        thread.start()
    for at, action in sorted(events, key=lambda event: event[0]):
        time.sleep(max(0.0, at - (time.monotonic() - results.started)))
        log.info("  %5.1fs: %s", time.monotonic() - results.started, action.__doc__)
        action()
    time.sleep(max(0.0, seconds - (time.monotonic() - results.started)))
    stop.set()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def report(title: str, results: Results) -> None:
    print(f"\n{title}")
    print(f"{'route':20s} {'requests':>8s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}  other")
    for route in sorted(results.latencies):
        times = results.latencies[route]
        others = {k: v for k, v in results.statuses[route].items() if k != "ok"}
        print(
            f"{route:20s} {len(times):8d} {percentile(times, 0.5) * 1000:8.0f} "
            f"{percentile(times, 0.95) * 1000:8.0f} {max(times) * 1000:8.0f}  "
            + (", ".join(f"{k}: {v}" for k, v in others.items()) or "-")
        )


def failures(results: Results, allowed=()) -> Counter:
    """Answers other than the expected ones, except those `allowed` (e.g. 503)."""
    found: Counter = Counter()
    for counts in results.statuses.values():
        for status, count in counts.items():
            if status != "ok" and status not in allowed:
                found[status] += count
    return found


def served_again(results: Results, after: float) -> bool:
    """Every answer in the last part of the run (from `after` seconds) was the expected one."""
    late = [status for at, _route, status in results.timeline if at >= after]
    return bool(late) and all(status == "ok" for status in late)


def prepare(folder: Path, database_url: str, questions: int, site: Site) -> Identity:
    """Seed (bench/qa_pages.py's questions, authors and paying reader), index, start the site,
    and open the forms the mix posts."""
    member_cookie = seed(
        database_url.replace("postgresql://", "postgresql+psycopg://"), folder, questions
    )
    site.flask("search", "reindex", "--processes", "1")
    token_run = subprocess.run(  # noqa: S603 - our own interpreter and flask
        [sys.executable, "-m", "flask", "users", "token", "reader@example.com", "--name", "load"],
        cwd=ROOT, env=site.env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    api_token = token_run.stdout.split()[-1]
    site.start()
    member_cookie, member_token = form_session(site.port, "/qa/ask", member_cookie)
    visitor_cookie, visitor_token = form_session(site.port, "/account/login", None)
    return Identity(
        member_cookie, member_token, visitor_cookie, visitor_token, api_token, questions
    )


def form_session(port: int, path: str, cookie: str | None) -> tuple[str, str]:
    """The session cookie and CSRF token a browser holds after opening a page with a form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Cookie": f"session={cookie}"} if cookie else {})
    response = connection.getresponse()
    page = response.read().decode()
    connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name == "session":
            cookie = rest.split(";", 1)[0]
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    return cookie, token


def search_finds(site: Site, identity: Identity, posted: list[tuple[int, str]]) -> int:
    """How many posted questions the API's search finds by their marker."""
    found = 0
    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
    for question_id, marker in posted:
        connection.request("GET", f"/api/v1/search?q={marker}", headers=api(identity))
        body = json.loads(connection.getresponse().read())
        found += any(hit["id"] == question_id for hit in body["results"])
    connection.close()
    return found


def wait_for_index(site: Site, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
        connection.request("GET", "/readyz")
        body = json.loads(connection.getresponse().read())
        connection.close()
        if body.get("search_pending") == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the search worker did not catch up")


def normal_load(site, identity, seconds, connections) -> list[str]:
    results = run_load(site, identity, seconds, connections)
    report(f"normal load: {seconds:.0f} s, {connections} connections", results)
    total = sum(len(times) for times in results.latencies.values())
    print(f"{total} requests, {total / seconds:.0f} per second")
    wrong = failures(results)
    return [f"normal load: {dict(wrong)}"] if wrong else []


def database_restart(site, identity, seconds, connections, cluster) -> list[str]:
    down = seconds / 4

    def stop():
        """PostgreSQL stopped"""
        cluster.stop()

    def start():
        """PostgreSQL started again"""
        cluster.start()

    results = run_load(site, identity, seconds, connections, [(down, stop), (2 * down, start)])
    report("PostgreSQL restarted mid-load", results)
    calm = sum(counts.get(503, 0) for counts in results.statuses.values())
    print(f"calm 503s while it was down: {calm}")
    problems = []
    if failures(results, allowed=(503,)):
        problems.append(f"database restart: {dict(failures(results, allowed=(503,)))}")
    if not served_again(results, 3 * down):
        problems.append("database restart: the site did not serve again without a restart")
    return problems


def redis_faults(site, identity, seconds, connections, redis) -> list[str]:
    problems = []
    quarter = seconds / 4

    def kill():
        """Redis killed"""
        redis.kill()

    def restart():
        """Redis started again"""
        redis.start()

    results = run_load(
        site, identity, seconds, connections, [(quarter, kill), (3 * quarter, restart)]
    )
    report("Redis killed mid-load", results)
    if failures(results):
        problems.append(f"redis killed: {dict(failures(results))}")

    def hang():
        """Redis hung (SIGSTOP)"""
        redis.hang()

    def resume():
        """Redis resumed (SIGCONT)"""
        redis.resume()

    results = run_load(
        site, identity, seconds, connections, [(quarter, hang), (3 * quarter, resume)]
    )
    report("Redis hung mid-load", results)
    slowest = max(max(times) for times in results.latencies.values())
    print(f"slowest answer while Redis hung: {slowest * 1000:.0f} ms")
    if failures(results):
        problems.append(f"redis hung: {dict(failures(results))}")
    if slowest > SLOWEST_ALLOWED:
        problems.append(f"redis hung: an answer took {slowest:.1f} s")
    return problems


def worker_killed(site, identity, seconds, connections) -> list[str]:
    def kill():
        """a gunicorn worker killed (SIGKILL)"""
        os.kill(site.worker_pids()[0], signal.SIGKILL)

    results = run_load(site, identity, seconds, connections, [(seconds / 4, kill)])
    report("a gunicorn worker killed mid-request", results)
    lost = failures(results)
    print(f"requests lost with the worker: {sum(lost.values())}")
    problems = []
    if any(not str(status).startswith("dropped") for status in lost):
        problems.append(f"worker killed: {dict(lost)}")
    if sum(lost.values()) > connections:
        problems.append(f"worker killed: {sum(lost.values())} requests lost")
    if not served_again(results, seconds / 2) or len(site.worker_pids()) != 2:
        problems.append("worker killed: no new worker took its place")
    return problems


def search_worker_killed(site, identity, seconds, connections) -> list[str]:
    quarter = seconds / 4

    def kill():
        """the search worker killed (SIGKILL) while applying changes"""
        site.kill_indexer()

    def restart():
        """the search worker started again"""
        site.start_indexer()

    results = run_load(
        site, identity, seconds, connections, [(quarter, kill), (2 * quarter, restart)]
    )
    report("the search worker killed mid-batch", results)
    wait_for_index(site)
    found = search_finds(site, identity, results.posted)
    posted = len(results.posted)
    print(f"questions posted during the run found by search afterwards: {found} of {posted}")
    problems = [f"search worker killed: {dict(failures(results))}"] if failures(results) else []
    if found != posted or not posted:
        problems.append(f"search worker killed: {posted - found} of {posted} questions not found")
    return problems


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0, help="normal load")
    parser.add_argument("--fault-seconds", type=float, default=30.0, help="each fault run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--short", action="store_true", help="20 s runs (CI)")
    args = parser.parse_args()
    if args.short:
        args.seconds = args.fault_seconds = 20.0
        args.questions = 200
    began = time.monotonic()
    cluster, redis = PostgresCluster(), RedisServer()
    folder = Path(tempfile.mkdtemp(prefix="load-site-"))
    site = None
    problems: list[str] = []
    try:
        cluster.start()
        redis.start()
        site = Site(folder, cluster.url, redis.url)
        identity = prepare(folder, cluster.url, args.questions, site)
        log.info("ready after %.0f s", time.monotonic() - began)
        print(
            f"gunicorn 2 workers, PostgreSQL {cluster.port}, Redis {redis.port}, "
            f"{args.questions} questions; Python load driver, one thread per connection"
        )
        problems += normal_load(site, identity, args.seconds, args.connections)
        duration, connections = args.fault_seconds, args.connections
        problems += database_restart(site, identity, duration, connections, cluster)
        problems += redis_faults(site, identity, duration, connections, redis)
        problems += worker_killed(site, identity, duration, connections)
        problems += search_worker_killed(site, identity, duration, connections)
    finally:
        if site is not None:
            site.close()
        redis.close()
        cluster.close()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{time.monotonic() - began:.0f} s in all")
    for problem in problems:
        print(f"FAILED {problem}")
    print("all checks passed" if not problems else f"{len(problems)} check(s) failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
