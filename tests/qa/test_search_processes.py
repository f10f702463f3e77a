"""Production shape: two gunicorn workers take posts while `flask search worker` indexes them.

The worker is killed with SIGKILL while members are posting and started again; afterwards every
question whose post was committed (it answered with a redirect to the question) is found.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import func, select

from community import create_app
from community.accounts import services
from community.extensions import db
from community.membership.tiers import seed_default_tiers
from community.qa.models import Question
from community.search.models import SearchChange
from tests.conftest import PASSWORD, base_config, grant_period

pytestmark = pytest.mark.concurrency

ROOT = Path(__file__).resolve().parents[2]
POSTERS = 4
QUESTIONS_EACH = 8
# How long to wait for processes to come up or catch up on a busy machine (not a speed limit).
DEADLINE = 60.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_site(instance: Path) -> tuple[dict, str]:
    """A migrated SQLite site with one member; returns the environment and the member's email."""
    url = f"sqlite:///{instance / 'community.db'}"
    app = create_app(base_config(url, instance))
    with app.app_context():
        upgrade()
        seed_default_tiers()
        user = services.register_user("poster@example.com", "发帖会员", PASSWORD)
        user.email_verified_at = user.created_at
        grant_period(user, "member", 30)
        db.session.commit()
        db.engine.dispose()
    env = {
        **os.environ,
        "COMMUNITY_ENV": "testing",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "process-test-secret",
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_INDEXER": "worker",
        "FLASK_APP": "wsgi",
    }
    return env, url


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "search", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(check, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/account/login").text).group(1)
    response = session.post(
        f"{base}/account/login",
        data={"csrf_token": token, "email": "poster@example.com", "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def post_questions(base: str, poster: int, refused: list) -> list[tuple[int, str]]:
    """Ask QUESTIONS_EACH questions; return (id, unique word) of those that committed.

    Posts the site refused are added to `refused` as (word, status, start of the page).
    """
    session = signed_in(base)
    token = CSRF.search(session.get(f"{base}/qa/ask").text).group(1)
    posted = []
    for n in range(QUESTIONS_EACH):
        word = f"code{poster}x{n}q"
        response = session.post(
            f"{base}/qa/ask",
            data={
                "csrf_token": token,
                "title": f"并发发帖测试 {word} 能被搜到吗",
                "body": "多个进程同时发帖，索引进程中途被杀死之后重启。",
                "tags": "测试",
            },
            allow_redirects=False,
        )
        if response.status_code == 302:
            posted.append((int(response.headers["Location"].rstrip("/").split("/")[-1]), word))
        else:
            refused.append((word, response.status_code, response.text[:200]))
    return posted


def test_every_committed_question_is_found_after_the_indexer_is_killed(tmp_path):
    env, url = prepare_site(tmp_path / "instance")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web_log = tmp_path / "gunicorn.log"
    with web_log.open("wb") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = start_worker(env)
    app = create_app(base_config(url, tmp_path / "instance"))
    try:
        wait_for(lambda: _answers(f"{base}/qa/"), DEADLINE, "gunicorn")
        with ThreadPoolExecutor(POSTERS) as pool:
            refused: list = []
            futures = [
                pool.submit(post_questions, base, poster, refused) for poster in range(POSTERS)
            ]
            # Killed while members are still posting and the indexer has work in hand.
            wait_for(lambda: count_rows(app, Question) >= POSTERS * 2, DEADLINE, "posts")
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            worker = start_worker(env)
            posted = [item for future in futures for item in future.result()]
        # Every post commits (members bringing in the same new tag at once included).
        assert not refused, (refused, web_log.read_text()[-3000:])

        wait_for(
            lambda: count_rows(app, SearchChange) == 0,
            DEADLINE,
            "the indexer to apply the outbox",
        )
        for question_id, word in posted:
            found = wait_for(lambda word=word: search(base, word), 5.0, f"{word} in the index")
            assert [result["id"] for result in found] == [question_id]
    finally:
        for process in (worker, web):
            process.terminate()
        for process in (worker, web):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with app.app_context():
            db.engine.dispose()


def search(base: str, word: str) -> list[dict]:
    response = requests.get(f"{base}/api/v1/search", params={"q": word}, timeout=5)
    return response.json()["results"]


def count_rows(app, model) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(model))
        db.session.remove()
        return count


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False
