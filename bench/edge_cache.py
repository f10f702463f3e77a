"""The visitor question page behind nginx's proxy_cache, next to the same page from gunicorn.

Seeds questions into a fresh SQLite database (as bench/qa_pages.py does), serves the site with
gunicorn (2 workers, production settings) and puts Debian's nginx in front of it with its own
configuration in a temporary folder: `proxy_cache` keyed on the URL, bypassed (and not stored)
for any request with a cookie or an Authorization header, revalidating with the site's ETags.
nginx is installed with apt-get when it is missing (as root). wrk asks for random question
pages as a visitor (no cookie) through nginx and straight from gunicorn, in interleaved rounds;
the figures are requests per second and the ratio against gunicorn alone, measured in the same
run: over every question (most pages' first visit in a while) and over the 100 most read. A
sample of requests then says how many nginx answered from its cache.

    python bench/edge_cache.py [--questions 2000] [--seconds 10] [--rounds 5] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from qa_pages import ROOT, free_port, measure_interleaved, seed, serve

log = logging.getLogger("bench.edge_cache")
# Visitors mostly read a few pages (linked, shared, ranked): the most read questions.
POPULAR = 100

NGINX_CONFIG = """
worker_processes 2;
{user}
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_cache_path {folder}/cache levels=1:2 keys_zone=pages:20m max_size=500m inactive=10m
                     use_temp_path=off;
    upstream site {{ server 127.0.0.1:{site_port}; keepalive 32; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://site;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_cache pages;
            proxy_cache_key $scheme$host$request_uri;
            # Signed-in members, visitors with a session (a form) or a language cookie, and API
            # tokens always reach the site; only cookie-less visitors share cached pages.
            proxy_cache_bypass $http_cookie $http_authorization;
            proxy_no_cache $http_cookie $http_authorization;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def ensure_nginx() -> str:
    """The nginx binary, installing Debian's package when it is missing (root only)."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("this bench needs nginx (apt-get install nginx-light)")
    log.info("installing nginx with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    apt = shutil.which("apt-get") or "/usr/bin/apt-get"
    subprocess.run([apt, "update", "-qq"], check=True, env=env)  # noqa: S603
    subprocess.run([apt, "install", "-y", "-qq", "nginx-light"], check=True, env=env)  # noqa: S603
    return shutil.which("nginx") or "/usr/sbin/nginx"


def start_nginx(binary: str, folder: Path, site_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(
        NGINX_CONFIG.format(
            folder=folder,
            site_port=site_port,
            port=port,
            # As root, nginx's workers would drop to `nobody`, who cannot enter the temp folder.
            user="user root;" if os.geteuid() == 0 else "",
        )
    )
    process = subprocess.Popen([binary, "-c", str(config), "-p", str(folder)])  # noqa: S603
    try:
        wait_until_served(port)
    except RuntimeError:
        process.terminate()  # the master stops its workers
        process.wait(timeout=10)
        raise RuntimeError((folder / "nginx-error.log").read_text()) from None
    return process, port


def wait_until_served(port: int, seconds: float = 120) -> None:
    """Until /healthz answers on `port` (workers import the whole app first: slow when busy)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing serves /healthz on port {port}")


def cache_statuses(port: int, questions: int, samples: int = 300) -> Counter:
    """How nginx answered a sample of visitor question pages (HIT, MISS, REVALIDATED, ...)."""
    statuses: Counter = Counter()
    for n in range(samples):
        path = f"http://127.0.0.1:{port}/qa/{1 + n * 7919 % questions}"
        with urllib.request.urlopen(path, timeout=10) as response:  # noqa: S310
            response.read()
            statuses[response.headers.get("X-Cache-Status", "none")] += 1
    return statuses


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this bench needs wrk (apt-get install wrk)")
    nginx = ensure_nginx()

    with tempfile.TemporaryDirectory(prefix="edge-bench-") as name:
        folder = Path(name)
        database_url = f"sqlite:///{folder / 'bench.db'}"
        seed(database_url, folder, args.questions)
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench-secret-of-at-least-32-characters",
            "COMMUNITY_ENV": "production",
            "SITE_URL": "http://127.0.0.1",
            "PYTHONPATH": str(ROOT),
            # nginx keeps the access log; the site's own line per request is not measured here.
            "ACCESS_LOG": "0",
        }
        site_port = free_port()
        site = serve("wsgi:app", site_port, env, ROOT)
        proxy = None
        try:
            wait_until_served(site_port)
            proxy, proxy_port = start_nginx(nginx, folder, site_port)
            every, popular = ("/qa/%d", 1, args.questions), ("/qa/%d", 1, POPULAR)
            targets = {
                "gunicorn alone": (site_port, every, None),
                "nginx proxy_cache": (proxy_port, every, None),
                "gunicorn alone, popular": (site_port, popular, None),
                "nginx, popular": (proxy_port, popular, None),
            }
            rates = measure_interleaved(targets, args.seconds, args.rounds, args.concurrency)
            statuses = cache_statuses(proxy_port, args.questions)
        finally:
            for process in (proxy, site):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
    print(
        f"visitor question page, {args.questions} questions, sqlite, gunicorn 2 workers, "
        f"{args.concurrency} wrk connections, {args.seconds:.0f}s each in {args.rounds} "
        "interleaved rounds"
    )
    for target, rate in rates.items():
        base = rates["gunicorn alone, popular" if "popular" in target else "gunicorn alone"]
        print(f"{target:24s} {rate:10.1f} req/s {rate / base:6.2f} x gunicorn alone")
    sampled = sum(statuses.values())
    print(
        "nginx answers in a sample of "
        f"{sampled}: " + ", ".join(f"{status} {count}" for status, count in statuses.most_common())
    )


if __name__ == "__main__":
    sys.exit(main())
